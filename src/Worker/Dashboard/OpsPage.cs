using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// One of our pages inside Hangfire's layout (its navigation, styles and scripts): a title, an
/// optional search form and tables. Buttons post through <see cref="OpsActions"/>, which shows each answer, and are not
/// rendered at all for a read-only caller.
/// </summary>
internal sealed class OpsPage(
    string title, IReadOnlyList<OpsSection> sections, bool readOnly, string? search = null, string? intro = null, string? after = null) : RazorPage
{
    public override void Execute()
    {
        Layout = new LayoutPage(title);
        WriteLiteral($"<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">{OpsCell.Encode(title)}</h1>");
        if (intro is not null)
        {
            WriteLiteral($"<p class=\"text-muted\">{intro}</p>");
        }

        if (search is not null)
        {
            WriteLiteral(search);
        }

        if (readOnly)
        {
            WriteLiteral("<p class=\"text-muted\" id=\"ops-read-only\">Read-only access: actions are hidden.</p>");
        }
        else
        {
            WriteLiteral(OpsActions.AnswerBox);
            WriteLiteral(OpsActions.Script);
        }

        foreach (var section in sections)
        {
            WriteSection(section);
        }

        if (after is not null)
        {
            WriteLiteral(after);
        }

        WriteLiteral("</div></div>");
    }

    private void WriteSection(OpsSection section)
    {
        if (sections.Count > 1)
        {
            WriteLiteral($"<h3>{OpsCell.Encode(section.Heading)}</h3>");
        }

        var table = section.Table;
        if (table.Rows.Count == 0)
        {
            WriteLiteral($"<div class=\"alert alert-info\">{OpsCell.Encode(section.Empty ?? "Nothing yet.")}</div>");
            return;
        }

        if (section.Note is { } note)
        {
            WriteLiteral($"<p class=\"text-muted ops-note\">{OpsCell.Encode(note)}</p>");
        }

        var withActions = (section.Actions is not null && !readOnly) || section.Links is not null;
        WriteLiteral($"<div class=\"table-responsive\"><table class=\"table table-hover ops-table\" data-section=\"{OpsCell.Encode(section.Heading)}\"><thead><tr>");
        foreach (var column in table.Columns)
        {
            WriteLiteral($"<th>{OpsCell.Encode(column)}</th>");
        }

        WriteLiteral(withActions ? "<th></th></tr></thead><tbody>" : "</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            WriteLiteral("<tr>");
            for (var i = 0; i < table.Columns.Count; i++)
            {
                WriteLiteral($"<td>{OpsCell.Render(table, row, i, Url, Html)}</td>");
            }

            if (withActions)
            {
                WriteLiteral("<td class=\"text-nowrap\">");
                foreach (var action in readOnly ? [] : section.Actions?.Invoke(row) ?? [])
                {
                    WriteLiteral(OpsActions.Button(Url.To(action.Path), action.Label, confirm: action.Confirm) + " ");
                }

                foreach (var link in section.Links?.Invoke(row) ?? [])
                {
                    WriteLiteral($"<a class=\"btn btn-sm btn-link\" href=\"{Url.To(link.Path)}\">{OpsCell.Encode(link.Label)}</a> ");
                }

                WriteLiteral("</td>");
            }

            WriteLiteral("</tr>");
        }

        WriteLiteral("</tbody></table></div>");
    }
}
