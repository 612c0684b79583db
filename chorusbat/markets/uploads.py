"""Refusing an oversized upload while it arrives, before it is read in full or written to disk."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops the upload as soon as the request or a file exceeds ``limit`` bytes; sets ``too_large``.

    Form fields sent before the file (the CSRF token comes first in our forms) are still read; the rest of the
    body is not.
    """

    # Room for the other form fields and the multipart boundaries around the file.
    OVERHEAD = 64 * 1024

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + self.OVERHEAD:
            self.too_large = True
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
