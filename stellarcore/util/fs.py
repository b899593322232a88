"""Files replaced atomically: a temporary file renamed over the target, so
a crash leaves either the old file or the new one, never a partial one."""
import os
import secrets


def write_atomically(path, data, *, durable=True, tmp_dir=None):
    """Write `data` to `path` through a fresh temporary file (in `tmp_dir`,
    default beside `path`; same file system) renamed into place.  `durable`
    also fsyncs the file and then the directory, as stellar-core's
    fs::durableRename."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    tmp_base = os.fspath(tmp_dir) if tmp_dir is not None else directory
    tmp = os.path.join(tmp_base, f".{os.path.basename(path)}.{os.getpid()}."
                                 f"{secrets.token_hex(6)}.tmp")
    try:
        with open(tmp, "xb") as f:           # mode 0666 less the umask
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        try:
            dfd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)
