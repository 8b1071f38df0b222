//! Replacing a file's content without a partial write: the new text goes to a temporary
//! file beside it (same folder, so the rename stays on one file system) with the
//! original permissions, and is renamed over the original. A file that changed since it
//! was read is left alone: an editor's unsaved-then-saved work must not be lost to a fix.
//! [`write`] does the same for an output file (`report -o`), whatever it held before.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replaces the content of `path` with `new`, provided it still holds `expected`.
/// A symlink is followed: its target is replaced, the link stays.
pub fn replace(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), String> {
    let target = fs::canonicalize(path).map_err(|e| e.to_string())?;
    let dir = target
        .parent()
        .ok_or_else(|| "has no parent folder".to_string())?;
    let permissions = fs::metadata(&target)
        .map_err(|e| e.to_string())?
        .permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".threatmark-fix-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    temp.write_all(new).map_err(|e| e.to_string())?;
    temp.as_file().sync_all().map_err(|e| e.to_string())?;
    fs::set_permissions(temp.path(), permissions).map_err(|e| e.to_string())?;
    let now = fs::read(&target).map_err(|e| e.to_string())?;
    if now != expected {
        // Dropping `temp` removes it.
        return Err("changed on disk while it was being fixed; left untouched".to_string());
    }
    temp.persist(&target).map_err(|e| e.error.to_string())?;
    Ok(())
}

/// Writes `content` to `path`, creating or replacing it, so that a reader sees either
/// the old file or the whole new one: a temporary file beside it, renamed over it. An
/// existing file keeps its permissions.
pub fn write(path: &Path, content: &[u8]) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!("no such folder: {}", dir.display()));
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".threatmark-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    temp.write_all(content).map_err(|e| e.to_string())?;
    temp.as_file().sync_all().map_err(|e| e.to_string())?;
    if let Ok(meta) = fs::metadata(path) {
        fs::set_permissions(temp.path(), meta.permissions()).map_err(|e| e.to_string())?;
    } else {
        // A temporary file is private (0600); a report is meant to be shared.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o644))
                .map_err(|e| e.to_string())?;
        }
    }
    temp.persist(path).map_err(|e| e.error.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_creates_or_replaces_whole_files() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("report.html");
        write(&file, b"one")?;
        assert_eq!(fs::read_to_string(&file)?, "one");
        write(&file, b"two")?;
        assert_eq!(fs::read_to_string(&file)?, "two");
        assert_eq!(
            fs::read_dir(dir.path())?.count(),
            1,
            "no temporary file is left"
        );
        let err = write(&dir.path().join("missing/report.html"), b"x")
            .err()
            .unwrap_or_default();
        assert!(err.contains("no such folder"), "{err}");
        Ok(())
    }

    #[test]
    fn replaces_the_content_and_keeps_permissions() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("doc.md");
        fs::write(&file, "old\n")?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o640))?;
        }
        replace(&file, b"old\n", b"new\n")?;
        assert_eq!(fs::read_to_string(&file)?, "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&file)?.permissions().mode() & 0o777, 0o640);
        }
        assert_eq!(
            fs::read_dir(dir.path())?.count(),
            1,
            "no temporary file is left behind"
        );
        Ok(())
    }

    #[test]
    fn refuses_a_file_that_changed() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("doc.md");
        fs::write(&file, "edited meanwhile\n")?;
        let err = replace(&file, b"old\n", b"new\n").err().unwrap_or_default();
        assert!(err.contains("changed on disk"), "{err}");
        assert_eq!(fs::read_to_string(&file)?, "edited meanwhile\n");
        assert_eq!(
            fs::read_dir(dir.path())?.count(),
            1,
            "no temporary file is left behind"
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_keeps_pointing_at_the_fixed_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("doc.md");
        let link = dir.path().join("link.md");
        fs::write(&file, "old\n")?;
        std::os::unix::fs::symlink(&file, &link)?;
        replace(&link, b"old\n", b"new\n")?;
        assert!(fs::symlink_metadata(&link)?.file_type().is_symlink());
        assert_eq!(fs::read_to_string(&file)?, "new\n");
        Ok(())
    }
}
