"""Chinese first, English second (placeholder; replaced by the i18n work)."""


def init_app(app) -> None:
    pass
