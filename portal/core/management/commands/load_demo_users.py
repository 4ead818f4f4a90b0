from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_PASSWORD = "doudi-demo-2026"  # noqa: S105 - printed demo password, refused outside DEBUG
DEMO_VILLAGE = "522601101200"  # 凯里市舟溪镇舟溪村 (county 522601, township 522601101)
# username, display name, role
DEMO_USERS = [
    ("cunwei", "村委会 张村干", "village_committee"),
    ("jingban", "乡镇经办 李经办", "township_caseworker"),
    # A home visit needs two investigators: the second one co-signs the visit record.
    ("jingban2", "乡镇经办 吴经办", "township_caseworker"),
    ("shenhe", "乡镇审核 王审核", "township_reviewer"),
    ("queren", "乡镇审批 郑确认", "township_approver"),
    ("shenpi", "县级审批 赵审批", "county_approver"),
    ("xianguan", "县级管理 钱管理", "county_admin"),
    ("liucheng", "流程管理 孙流程", "process_manager"),
    ("shenji", "审计监督 周审计", "auditor"),
    ("yibao", "医保局 冯医保", "medical_security"),
    ("yingji", "应急管理局 陈应急", "emergency_management"),
    ("yiyuan", "凯里市人民医院结算窗口 褚窗口", "hospital_window"),
    ("gongyang", "凯里市社会福利院 卫供养", "care_institution"),
    ("ertong", "舟溪村儿童主任 蒋儿童", "child_director"),
    ("dudao", "舟溪镇儿童督导员 沈督导", "child_supervisor"),
]
EXTRA_PERMISSIONS = {
    "county_admin": ["reassign_humantask", "cancel_processinstance"],
}


class Command(BaseCommand):
    help = "Create demo users, one per role, in the demo county's offices (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow outside DEBUG")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo users are for development; pass --force to create them anyway")
        digits = settings.ENGINE_LEVEL_DIGITS
        rows = []
        for username, display, role in DEMO_USERS:
            code = DEMO_VILLAGE[: digits[settings.ENGINE_ROLES[role]["level"]]]
            group, _ = Group.objects.get_or_create(name=f"{role}:{code}")
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role in {"process_manager", "county_admin"}
                user.save()
            user.groups.add(group)
            for codename in EXTRA_PERMISSIONS.get(role, []):
                user.user_permissions.add(Permission.objects.get(codename=codename))
            rows.append((username, display, group.name))
        admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True, "is_superuser": True})
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        rows.append(("admin", "系统管理员 (superuser)", "-"))
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, display, group in rows:
            self.stdout.write(f"  {username:<10} {display:<24} {group}")
