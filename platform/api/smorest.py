"""The flask-smorest Api, with every error answered as problem+json."""

from __future__ import annotations

import flask_smorest
from werkzeug.exceptions import HTTPException

from yimen.platform.api.problems import from_http_exception, problem_response


class Api(flask_smorest.Api):
    def handle_http_exception(self, error: HTTPException):
        return problem_response(from_http_exception(error))


def api_config() -> dict:
    return {
        "API_TITLE": "Yimen 一门 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": None,
        "OPENAPI_REDOC_PATH": None,
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "一门式综合行政执法平台接口。所有错误以 RFC 7807 problem+json 返回，"
                "字段级说明同时给出中文与英文。",
            },
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
                }
            },
            "security": [{"bearer": []}],
        },
    }
