namespace BatchOrchestrator.Persistence.Migrations;

/// <summary>
/// The database is not encoded in UTF-8. File names are stored as written, in any language, and compared in code-point
/// order (<c>collate "C"</c>) as the scan walks them: in LATIN1 a name with an en dash cannot be stored at all, so its
/// source's every scan fails, and in WIN1252 the byte order is not the walk's, so a name such as <c>é.pdf</c> reads
/// as deleted at every scan. So this build does not start on one, and says how to make one that fits.
/// </summary>
internal sealed class DatabaseEncodingException(string encoding) : InvalidOperationException(
    $"Database:ConnectionString: the database is encoded in {encoding}; BatchOrchestrator needs UTF8 to store file names as written. "
    + "Create one with 'createdb --encoding=UTF8 --template=template0 <name>' and point the setting at it");
