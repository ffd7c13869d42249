"""Configuration from YIMEN_* environment variables; the embedded default needs none."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _var_dir() -> Path:
    return Path(_env("YIMEN_VAR_DIR", str(Path.cwd() / "var"))).resolve()


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, documented in README.md."""

    var_dir: Path
    database_url: str
    migrate_database_url: str
    db_app_role: str
    broker_url: str
    public_url: str
    trusted_issuers: tuple[str, ...]
    audience: str
    secret_key: str
    blob_dir: Path
    max_body_bytes: int
    evidence_max_bytes: int
    blob_url: str
    s3_endpoint_url: str
    s3_region: str
    s3_access_key_id: str
    s3_secret_access_key: str
    log_level: str
    token_lifetime_seconds: int
    refresh_lifetime_seconds: int
    identity_provider: str
    keycloak_url: str
    keycloak_client_id: str
    keycloak_client_secret: str
    sms_url: str
    sms_api_key: str
    sector_url: str
    sector_token: str
    ratelimit_storage: str
    gateway_keys: str
    gateway_keys_file: str
    hotline_12345_url: str = ""  # the city's 12345 hotline API (none: nothing is pulled)
    hotline_12345_api_key: str = ""
    # mount the provincial supervision platform's simulator at /_sim/province (the
    # embedded default: on with the in-memory broker, else off; YIMEN_PROVINCE_SIMULATOR)
    province_simulator: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def builtin_issuer(self, slug: str) -> str:
        return f"{self.public_url}/oidc/{slug}"


def load_settings(**overrides) -> Settings:
    var_dir = Path(overrides.pop("var_dir", None) or _var_dir())
    public_url = _env("YIMEN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    database_url = _env("YIMEN_DATABASE_URL", f"sqlite:///{var_dir / 'yimen.db'}")
    values = dict(
        var_dir=var_dir,
        database_url=database_url,
        migrate_database_url=_env("YIMEN_MIGRATE_DATABASE_URL", database_url),
        db_app_role=_env("YIMEN_DB_APP_ROLE", "yimen_app"),
        broker_url=_env("YIMEN_BROKER_URL", "stub://"),
        public_url=public_url,
        # Issuer templates: {slug} is the district's slug. The default trusts the
        # built-in provider; Keycloak would be "https://sso.example.gov.cn/realms/{slug}".
        trusted_issuers=tuple(
            t.strip().rstrip("/")
            for t in _env("YIMEN_TRUSTED_ISSUERS", "{public_url}/oidc/{slug}").split(",")
            if t.strip()
        ),
        audience=_env("YIMEN_AUDIENCE", "yimen-api"),
        secret_key=_env("YIMEN_SECRET_KEY", ""),
        blob_dir=Path(_env("YIMEN_BLOB_DIR", str(var_dir / "blobs"))),
        max_body_bytes=int(_env("YIMEN_MAX_BODY_BYTES", str(16 * 1024 * 1024))),
        evidence_max_bytes=int(_env("YIMEN_EVIDENCE_MAX_BYTES", str(2 * 1024**3))),
        # Empty: the filesystem under YIMEN_BLOB_DIR; s3://bucket/prefix: an S3 store.
        blob_url=_env("YIMEN_BLOB_URL", ""),
        s3_endpoint_url=_env("YIMEN_S3_ENDPOINT_URL", ""),
        s3_region=_env("YIMEN_S3_REGION", "us-east-1"),
        s3_access_key_id=_env("YIMEN_S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=_env("YIMEN_S3_SECRET_ACCESS_KEY", ""),
        log_level=_env("YIMEN_LOG_LEVEL", "INFO"),
        token_lifetime_seconds=int(_env("YIMEN_TOKEN_LIFETIME", "300")),
        refresh_lifetime_seconds=int(_env("YIMEN_REFRESH_LIFETIME", str(8 * 3600))),
        identity_provider=_env("YIMEN_IDENTITY_PROVIDER", "builtin"),
        keycloak_url=_env("YIMEN_KEYCLOAK_URL", "").rstrip("/"),
        keycloak_client_id=_env("YIMEN_KEYCLOAK_CLIENT_ID", "yimen-provisioner"),
        keycloak_client_secret=_env("YIMEN_KEYCLOAK_CLIENT_SECRET", ""),
        sms_url=_env("YIMEN_SMS_URL", "").rstrip("/"),
        sms_api_key=_env("YIMEN_SMS_API_KEY", ""),
        # the ministry's vertical case system pulled from (none: no pull)
        sector_url=_env("YIMEN_SECTOR_URL", "").rstrip("/"),
        sector_token=_env("YIMEN_SECTOR_TOKEN", ""),
        ratelimit_storage=_env("YIMEN_RATELIMIT_STORAGE", "memory://"),
        hotline_12345_url=_env("YIMEN_HOTLINE_12345_URL", "").rstrip("/"),
        hotline_12345_api_key=_env("YIMEN_HOTLINE_12345_API_KEY", ""),
        gateway_keys=_env("YIMEN_GATEWAY_KEYS", ""),
        gateway_keys_file=_env("YIMEN_GATEWAY_KEYS_FILE", ""),
    )

    values.update(overrides)
    if "province_simulator" not in overrides:
        embedded = "1" if values["broker_url"] == "stub://" else "0"
        flag = _env("YIMEN_PROVINCE_SIMULATOR", embedded)
        values["province_simulator"] = flag not in ("0", "false", "no")
    if values["blob_url"] and not values["blob_url"].startswith("s3://"):
        raise ValueError("YIMEN_BLOB_URL must be empty (filesystem) or s3://bucket/prefix")
    if values["identity_provider"] not in ("builtin", "keycloak"):
        raise ValueError("YIMEN_IDENTITY_PROVIDER must be builtin or keycloak")
    if values["identity_provider"] == "keycloak" and not values["keycloak_url"]:
        raise ValueError("YIMEN_IDENTITY_PROVIDER=keycloak needs YIMEN_KEYCLOAK_URL")
    if values["identity_provider"] == "keycloak":
        realm_template = f"{values['keycloak_url']}/realms/{{slug}}"
        if realm_template not in values["trusted_issuers"]:
            values["trusted_issuers"] = (*values["trusted_issuers"], realm_template)
    values["trusted_issuers"] = tuple(
        t.replace("{public_url}", values["public_url"]) for t in values["trusted_issuers"]
    )
    return Settings(**values)
