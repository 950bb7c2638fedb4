namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Our pages' action buttons, and the script that presses them. Hangfire's own <c>data-ajax</c> handler posts and then
/// reloads the page whatever the answer: what an action did ("3 failed files queued again") was thrown away, and a
/// refusal ("the selection grew since the preview", an edit not applied yet) left the button spinning with nothing said,
/// so the operator could not tell whether anything was sent. This script posts through Hangfire's jQuery, which carries
/// the antiforgery header, then shows the answer above the page: a refusal at once, with the button back; a success
/// after the reload that shows its effect.
/// </summary>
internal static class OpsActions
{
    /// <summary>Where the answer is shown: above the page's tables, below its title, introduction and search.</summary>
    public const string AnswerBox = "<div id=\"ops-answer\" role=\"status\" hidden></div>";

    /// <summary>A button posting to <paramref name="url"/> (already encoded for an attribute), asking first when <paramref name="confirm"/> is given.</summary>
    public static string Button(string url, string label, string css = "btn-sm btn-default", string? confirm = null, string? id = null) =>
        $"<button type=\"button\" class=\"btn {css} ops-action\"{(id is null ? "" : $" id=\"{id}\"")} data-ops-action=\"{url}\""
        + $"{(confirm is null ? "" : $" data-confirm=\"{OpsCell.Encode(confirm)}\"")}>{OpsCell.Encode(label)}</button>";

    // Plain DOM for the listeners, so they hold before Hangfire's scripts load at the end of the page; jQuery only once
    // pressed. The answer is plain text (OpsActionDispatcher), shown as text, never as markup.
    public const string Script = """
        <script>
        (function () {
            var kept = 'ops-answer';
            function show(text, refused) {
                var box = document.getElementById('ops-answer');
                box.textContent = text;
                box.className = 'alert ' + (refused ? 'alert-danger' : 'alert-success');
                box.hidden = false;
            }
            document.addEventListener('DOMContentLoaded', function () {
                var answer = window.sessionStorage.getItem(kept);
                if (answer !== null) {
                    window.sessionStorage.removeItem(kept);
                    show(answer, false);
                }
            });
            document.addEventListener('click', function (e) {
                var button = e.target.closest('button[data-ops-action]');
                if (!button) {
                    return;
                }
                e.preventDefault();
                var question = button.getAttribute('data-confirm');
                if (button.disabled || (question && !window.confirm(question))) {
                    return;
                }
                var label = button.textContent;
                button.disabled = true; // pressed once: a second click before the answer sends nothing
                button.textContent = '\u2026';
                window.jQuery.post(button.getAttribute('data-ops-action'))
                    .done(function (text) {
                        window.sessionStorage.setItem(kept, text || 'Done.');
                        window.location.reload();
                    })
                    .fail(function (xhr) {
                        button.disabled = false;
                        button.textContent = label;
                        show(xhr.status === 0
                            ? 'No answer from the service (stopping, or out of reach): reload the page to see whether it was done before pressing again.'
                            : (xhr.responseText || 'Refused (HTTP ' + xhr.status + ').'), true);
                    });
            });
        })();
        </script>
        """;
}
