"""Django settings for Doudi.

Everything that differs between a laptop and a province comes from environment variables; when
one is unset the embedded default applies: SQLite under ``var/`` and an in-process worker (Celery
tasks run eagerly, timers are ticked by ``manage.py run_portal``), so nothing external is needed.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DOUDI_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "forms.apps.FormsConfig",
    "engine",
    "portal.core.apps.CoreConfig",
    "portal.cases.apps.CasesConfig",
    "portal.worklist.apps.WorklistConfig",
    "portal.records.apps.RecordsConfig",
    "portal.verification.apps.VerificationConfig",
    "portal.casefile.apps.CasefileConfig",
    "portal.notices.apps.NoticesConfig",
    "portal.intake.apps.IntakeConfig",
    "portal.programs.tekun.apps.TekunConfig",
    "portal.programs.medical.apps.MedicalConfig",
    "portal.programs.disaster.apps.DisasterConfig",
    "portal.programs.children.apps.ChildrenConfig",
    "portal.programs.temporary.apps.TemporaryConfig",
    "portal.programs.review.apps.ReviewConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.staff_roles",
            ],
        },
    },
]

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'doudi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _SQLITE_DEFAULT, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# bpmn-js (npm, installed by ``make setup``) draws the case page's process diagram.
STATICFILES_DIRS = [("vendor/bpmn-js", BASE_DIR / "node_modules" / "bpmn-js" / "dist")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "doudi": {"handlers": ["console"], "level": os.environ.get("DOUDI_LOG_LEVEL", "INFO")},
        # SpiffWorkflow logs task data at INFO; task data holds ID numbers, which never go to logs.
        "spiff": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
INPROCESS_WORKER = not CELERY_BROKER_URL
if INPROCESS_WORKER:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("DOUDI_CELERY_QUEUE", "doudi")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
TIMER_TICK_SECONDS = float(os.environ.get("DOUDI_TIMER_TICK_SECONDS", "30"))
CELERY_BEAT_SCHEDULE = {
    "fire-due-timers": {"task": "engine.fire_due_timers", "schedule": timedelta(seconds=TIMER_TICK_SECONDS)},
    "seal-audit-checkpoint": {"task": "engine.seal_audit_checkpoint", "schedule": timedelta(hours=1)},
    # 动态管理: open the periodic reviews of 低保 and 特困 cases that have come due.
    "open-due-reviews": {"task": "review.open_due_reviews", "schedule": timedelta(hours=1)},
}

# --- Engine -----------------------------------------------------------------------------------
WORKFLOWS_DIR = BASE_DIR / "workflows"

# Jurisdiction levels by the length of their GB/T 2260-based code.
ENGINE_LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}

# Roles a BPMN lane may map to (lane property ``role``), each acting at one level.
ENGINE_ROLES = {
    "village_committee": {"level": "village", "label": _("村（居）委会")},
    "township_caseworker": {"level": "township", "label": _("乡镇经办人")},
    "township_reviewer": {"level": "township", "label": _("乡镇审核人")},
    # Confirms cases where the county has delegated confirmation to the township (委托乡镇确认).
    "township_approver": {"level": "township", "label": _("乡镇审批人（受委托）")},
    "county_approver": {"level": "county", "label": _("县级审批人")},
    "county_admin": {"level": "county", "label": _("县级管理员")},
    "process_manager": {"level": "county", "label": _("流程管理员")},
    # Departments other than civil affairs that run a program's steps (see ENGINE_ROLE_OVERRIDES).
    "medical_security": {"level": "county", "label": _("医疗保障部门")},
    "emergency_management": {"level": "county", "label": _("应急管理部门")},
    "hospital_window": {"level": "county", "label": _("定点医院结算窗口")},
    "care_institution": {"level": "county", "label": _("供养服务机构")},
    "child_director": {"level": "village", "label": _("儿童主任")},
    "child_supervisor": {"level": "township", "label": _("儿童督导员")},
    "auditor": {"level": "county", "label": _("审计监督")},
}

# Per county, a lane role to hand to another role instead: where a department other than the usual one
# runs a program's step (e.g. a county whose civil affairs bureau still approves medical assistance:
# {"522622": {"medical_security": "county_approver"}}). JSON in DOUDI_ROLE_OVERRIDES.
ENGINE_ROLE_OVERRIDES: dict[str, dict[str, str]] = json.loads(os.environ.get("DOUDI_ROLE_OVERRIDES", "{}"))

# Callables (dotted paths) that may refuse an actor on a task: ``policy(task, actor) -> None`` raising
# ``engine.errors.TaskForbidden``. Domain apps add separation-of-duties rules here.
ENGINE_TASK_POLICIES: list[str] = [
    "engine.policies.separate_from",
    "engine.policies.cosign_of",
    "portal.cases.policies.related_staff_recuse",
]

# Where the audit checkpoint key comes from; defaults to a key derived from SECRET_KEY.
AUDIT_CHECKPOINT_KEY = os.environ.get("DOUDI_AUDIT_CHECKPOINT_KEY", "")

# --- Records (signed PDFs) ------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("DOUDI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Test PKI from ``manage.py create_test_pki``: keys, certificates and the local TSA for development.
RECORDS_PKI_DIR = Path(os.environ.get("DOUDI_RECORDS_PKI_DIR", VAR_DIR / "pki"))
# Production: JSON {"<org code>": {"pkcs12": path, "passphrase": "..."} or {"key": path, "cert": path}}.
RECORDS_SIGNERS = json.loads(os.environ.get("DOUDI_RECORDS_SIGNERS", "{}"))
# Who seals a record (portal/records/organisations.py): a township slot, the township government; a county slot, the
# county department that decides the record's program there. Each has its own key, under the jurisdiction code for
# the township government and the county's RECORDS_COUNTY_DEPARTMENT (civil affairs), under
# "<county code>-<department>" for another department (e.g. "522601-medical_security").
RECORDS_DEPARTMENTS = {
    "civil_affairs": _("民政部门"),
    "medical_security": _("医疗保障部门"),
    "emergency_management": _("应急管理部门"),
}
RECORDS_COUNTY_DEPARTMENT = "civil_affairs"
# Per program (code), the department whose lanes decide its county steps and so seal its county records: "default"
# for every county, a county code where it differs, e.g. a county whose civil-affairs bureau still approves medical
# assistance (with the matching ENGINE_ROLE_OVERRIDES): {"522622": {"medical": "civil_affairs"}}. Programs not named
# are sealed by RECORDS_COUNTY_DEPARTMENT. JSON in DOUDI_RECORDS_SIGNING_DEPARTMENTS, merged over the default by key.
RECORDS_SIGNING_DEPARTMENTS: dict[str, dict[str, str]] = {
    "default": {"medical": "medical_security", "disaster": "emergency_management"},
    **json.loads(os.environ.get("DOUDI_RECORDS_SIGNING_DEPARTMENTS", "{}")),
}
_records_paths = os.environ.get("DOUDI_RECORDS_TRUST_ROOTS")
RECORDS_TRUST_ROOTS = _records_paths.split(os.pathsep) if _records_paths else [RECORDS_PKI_DIR / "root.cert.pem"]
_records_paths = os.environ.get("DOUDI_RECORDS_EXTRA_CERTS")
RECORDS_EXTRA_CERTS = (
    _records_paths.split(os.pathsep) if _records_paths else [RECORDS_PKI_DIR / "intermediate.cert.pem"]
)
RECORDS_ALLOW_FETCHING = _env_bool("DOUDI_RECORDS_ALLOW_FETCHING", False)
# "" no timestamp (PAdES B-B), "local" the test PKI's in-process TSA, else an RFC 3161 TSA URL (B-T).
RECORDS_TSA_URL = os.environ.get("DOUDI_RECORDS_TSA_URL", "local")
RECORDS_TSA_TIMEOUT = float(os.environ.get("DOUDI_RECORDS_TSA_TIMEOUT", "10"))
# PAdES B-LTA for archival records: validation data embedded + a document timestamp after the last signature.
RECORDS_LTA = _env_bool("DOUDI_RECORDS_LTA", False)
# Base of the URL printed as QR code on every record (the public verification page).
RECORDS_PUBLIC_URL = os.environ.get("DOUDI_RECORDS_PUBLIC_URL", "http://127.0.0.1:8000")
RECORDS_VERIFY_RATE = os.environ.get("DOUDI_RECORDS_VERIFY_RATE", "30/m")  # per client address
RECORDS_MAX_UPLOAD_BYTES = int(os.environ.get("DOUDI_RECORDS_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
