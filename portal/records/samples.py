"""Sample data for each record kind: used by the benchmark, the tests and ``render`` demos. Fictional."""

from __future__ import annotations

from typing import Any


def approval_form(members: int = 4) -> dict[str, Any]:
    names = ["王秀英", "李建国", "李小红", "李明", "张桂兰", "李强", "李芳", "李军"]
    relations = ["本人", "配偶", "子女", "子女", "父母", "子女", "子女", "子女"]
    return {
        "program": "最低生活保障",
        "household": {"head_name": "王秀英", "id_number": "522601198001011234",
                      "address": "贵州省黔东南州凯里市舟溪镇舟溪村 3 组 12 号"},
        "members": [
            {"name": names[i % 8], "relation": relations[i % 8], "id_number": f"52260119{80 + i}0101{1000 + i}",
             "status": "健康 / 务农" if i % 2 else "慢性病 / 无业", "income": f"{300 + 50 * i}.00"}
            for i in range(members)
        ],
        "verification": [
            {"item": "户籍", "result": "一致"},
            {"item": "收入（社保、公积金、工商）", "result": "家庭月人均收入 412.50 元，低于当地标准 720 元"},
            {"item": "车辆、房产", "result": "无车辆；自有住房一处"},
            {"item": "银行存款", "result": "合计 3,200.00 元，未超过规定"},
        ],
        "democratic_review": {"date": "2025-03-10", "participants": 9, "outcome": "9 票同意，0 票反对：符合条件"},
        "notice": {"start": "2025-03-12", "end": "2025-03-18", "objections": []},
        "township_opinion": {"text": "经入户调查和信息核对，该户符合最低生活保障条件，建议批准。",
                             "reviewer": "赵敏", "date": "2025-03-19"},
        "county_decision": {"text": "同意纳入最低生活保障。", "approver": "孙伟", "date": "2025-03-21"},
        "amount": "1228.00",
        "start_month": "2025年4月",
    }


def decision_notice() -> dict[str, Any]:
    return {"applicant": "王秀英", "applied_on": "2025年3月1日", "program": "最低生活保障", "household_size": 4,
            "amount": "1228.00", "start_month": "2025年4月", "issuer": "凯里市民政局", "issued_on": "2025年3月21日"}


def refusal_notice() -> dict[str, Any]:
    return {"applicant": "刘德华", "applied_on": "2025年3月1日", "program": "最低生活保障",
            "reasons": ["家庭月人均收入 980.00 元，高于当地最低生活保障标准 720 元。",
                        "家庭成员名下有机动车一辆（非残疾人功能性补偿代步车）。"],
            "review_body": "凯里市人民政府", "issuer": "凯里市民政局", "issued_on": "2025年3月21日"}


def public_notice() -> dict[str, Any]:
    return {"program": "最低生活保障", "start": "2025-03-12", "end": "2025-03-18", "contact": "舟溪镇社会事务办",
            "entries": [{"name": "王秀英", "household_size": 4, "amount": "1228.00"},
                        {"name": "陈光明", "household_size": 2, "amount": "640.00"}],
            "issuer": "凯里市舟溪镇人民政府", "issued_on": "2025年3月12日"}


def emergency_aid() -> dict[str, Any]:
    return {"applicant": "周小梅", "id_number": "522601199002023456", "household_size": 3, "aid_date": "2025-05-06",
            "situation": "房屋因暴雨受损，家庭基本生活暂时困难", "aid_form": "现金", "amount": "1500.00",
            "handler": "舟溪镇 赵敏"}


def periodic_report() -> dict[str, Any]:
    return {"period": "2025年第一季度", "issuer": "凯里市民政局", "issued_on": "2025年4月5日",
            "rows": [{"program": "最低生活保障", "households": 1203, "people": 2877, "amount": "3512000.00"},
                     {"program": "特困人员救助供养", "households": 310, "people": 310, "amount": "402300.00"},
                     {"program": "临时救助", "households": 96, "people": 244, "amount": "118000.00"}]}


def adjustment_notice() -> dict[str, Any]:
    return {"applicant": "王秀英", "program": "农村最低生活保障", "occasion": "定期核查", "review_key": "DBR-2026-0007",
            "household_size": 3, "previous_amount": "1228.00", "amount": "980.00", "start_month": "2026年4月",
            "reasons": ["家庭成员李明已就业，月工资收入 2,400.00 元。"],
            "hearing": "作出决定前，已于2026年3月2日听取王秀英的陈述和申辩，陈述人对拟办意见无异议。",
            "review_body": "凯里市人民政府", "issuer": "凯里市民政局", "issued_on": "2026年3月10日"}


def termination_notice() -> dict[str, Any]:
    return {"applicant": "陈光明", "program": "农村最低生活保障", "occasion": "定期核查", "review_key": "DBR-2026-0011",
            "previous_amount": "640.00", "stop_month": "2026年4月",
            "reasons": ["家庭月人均收入 1,150.00 元，高于当地最低生活保障标准 720 元。"],
            "hearing": "作出决定前，已于2026年3月3日听取陈光明的陈述和申辩，陈述人对拟办意见无异议。",
            "review_body": "凯里市人民政府", "issuer": "凯里市民政局", "issued_on": "2026年3月10日"}


def care_agreement() -> dict[str, Any]:
    return {"supported": {"name": "杨老汉", "id_number": "522601194805061217",
                          "address": "贵州省黔东南州凯里市舟溪镇舟溪村 5 组 8 号"},
            "carer": {"name": "杨明", "relation": "侄子", "phone": "13987654321"},
            "care_level": "部分丧失生活自理能力", "duties": "每日送餐两次，每周洗澡、清洁居所两次，就医陪护。",
            "visit_interval_days": 30, "starts_on": "2026年4月1日", "signed_on": "2026年3月28日",
            "issuer": "凯里市舟溪镇人民政府", "issued_on": "2026年3月28日"}


SAMPLES = {
    "approval_form": approval_form,
    "decision_notice": decision_notice,
    "refusal_notice": refusal_notice,
    "public_notice": public_notice,
    "emergency_aid": emergency_aid,
    "periodic_report": periodic_report,
    "adjustment_notice": adjustment_notice,
    "termination_notice": termination_notice,
    "care_agreement": care_agreement,
}
