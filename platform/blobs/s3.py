"""The S3-compatible adapter (MinIO, Ceph RGW, a cloud's object storage), chosen by
YIMEN_BLOB_URL=s3://bucket/prefix: the same content addresses as the filesystem store,
under the prefix."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from urllib.parse import urlparse

from yimen.platform.kernel.blobs.store import (
    CHUNK_BYTES,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    StoredBlob,
    check_key,
    key_for,
)

PART_BYTES = 8 * 1024 * 1024  # S3 wants at least 5 MB per part but the last


@dataclass
class _Reading:
    """What has gone through `put` so far: counted and hashed as it is read."""

    max_bytes: int | None
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)


class _Body(io.RawIOBase):
    """A downloaded object as a plain binary stream (closing it releases the connection)."""

    def __init__(self, body) -> None:
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.body.close()
        super().close()


class S3BlobStore(BlobStore):
    """Streams a blob up in parts of `part_bytes` (at most two parts in memory at once),
    hashing as it reads: a blob that fits in one part is put under its key directly; a
    longer one goes to a multipart upload under tmp/ and, once complete and hashed, is
    copied to its content address (a server-side copy) and the temporary object removed.
    S3 shows an object only once its upload completes, so a reader sees the whole blob or
    nothing; a refused or interrupted put aborts its multipart upload."""

    def __init__(self, client, bucket: str, prefix: str = "", part_bytes: int = PART_BYTES):
        self.client, self.bucket, self.part_bytes = client, bucket, part_bytes
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    @classmethod
    def from_url(
        cls,
        url: str,
        endpoint_url: str = "",
        region: str = "us-east-1",
        access_key_id: str = "",
        secret_access_key: str = "",
    ) -> S3BlobStore:
        import boto3
        from botocore.config import Config

        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError("the blob URL must look like s3://bucket/prefix")
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(retries={"mode": "standard"}, s3={"addressing_style": "path"}),
        )
        return cls(client, parsed.netloc, parsed.path)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _fill(self, stream: BinaryIO, reading: _Reading) -> bytes:
        part = bytearray()
        while len(part) < self.part_bytes:
            chunk = stream.read(min(CHUNK_BYTES, self.part_bytes - len(part)))
            if not chunk:
                break
            reading.size += len(chunk)
            if reading.max_bytes is not None and reading.size > reading.max_bytes:
                raise BlobTooLarge(reading.max_bytes)
            reading.digest.update(chunk)
            part += chunk
        return bytes(part)

    def put(self, stream: BinaryIO, max_bytes: int | None = None) -> StoredBlob:
        reading = _Reading(max_bytes)
        first = self._fill(stream, reading)
        following = self._fill(stream, reading) if len(first) == self.part_bytes else b""
        if not following:
            key = key_for(reading.digest.hexdigest())
            if self.exists(key):
                return StoredBlob(key, reading.digest.hexdigest(), reading.size, False)
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=first)
            return StoredBlob(key, reading.digest.hexdigest(), reading.size, True)
        temporary = f"{self.prefix}tmp/put-{uuid.uuid4().hex}"
        read_ahead = [first, following]
        del first, following  # _multipart lets go of each part once it is sent
        self._multipart(temporary, stream, reading, read_ahead)
        try:
            key = key_for(reading.digest.hexdigest())
            created = not self.exists(key)
            if created:
                self.client.copy(
                    {"Bucket": self.bucket, "Key": temporary}, self.bucket, self._name(key)
                )
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=temporary)
        return StoredBlob(key, reading.digest.hexdigest(), reading.size, created)

    def _multipart(
        self, name: str, stream: BinaryIO, reading: _Reading, read_ahead: list[bytes]
    ) -> None:
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=name)["UploadId"]
        parts: list[dict] = []

        def send(body: bytes) -> None:
            number = len(parts) + 1
            sent = self.client.upload_part(
                Bucket=self.bucket, Key=name, UploadId=upload, PartNumber=number, Body=body
            )
            parts.append({"PartNumber": number, "ETag": sent["ETag"]})

        try:
            while read_ahead:
                send(read_ahead.pop(0))
            while part := self._fill(stream, reading):
                send(part)
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=name, UploadId=upload, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey as exc:
            raise BlobNotFound(key) from exc
        return io.BufferedReader(_Body(found["Body"]), buffer_size=CHUNK_BYTES)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except BlobNotFound:
            return False
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
