namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Makes a folder's entries durable: a file renamed into it, one removed, a folder made in it. A rename is a change
/// to the folder, not to the file, and on Linux it reaches the disk only when the folder itself is synced (fsync(2),
/// "Calling fsync() does not necessarily ensure that the entry in the directory containing the file has also reached
/// disk"). An exception says the entries may not survive a power cut.
/// </summary>
internal interface IFolderSync
{
    void Sync(string folder);
}
