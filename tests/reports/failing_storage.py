"""A media storage whose disk is full: every save fails, as a real full volume's does."""

import errno

from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")
