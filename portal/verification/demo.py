"""The demo registry file ``data/demo_registry.csv``: fictional people, check-digit-valid IDs in
Kaili (522601), for the portal's demo and for tests of other parts that need registry data.

Import it with ``manage.py import_registry_records portal/verification/data/demo_registry.csv``.

=========  ==================  ==========================================================
name       resident ID         what the registries report (validity)
=========  ==================  ==========================================================
王德明     52260119520315011X  社保 养老金 1850.00/month (from 2012-04-01)
李秀英     522601195508200229  社保 城乡居民养老金 150.00/month (from 2015-09-01);
                               银行 定期存款 32000.00 (2024-01-01 … 2025-12-31)
王建国     522601198011020330  税务 工资 2600.00/month (2023-01-01 … 2024-06-30);
                               车辆 小型汽车 45000.00 (from 2021-05-10)
张兰       52260119830412044X  不动产 住房 180000.00 (from 2016-03-01);
                               公积金 工资 3100.00/month (from 2024-07-01)
杨光荣     522601194801300558  其他 死亡（火化登记）, died 2024-09-03
吴小红     522601199006060666  工商 个体经营 1200.00/month (from 2022-03-01);
                               银行 理财产品 20000.00 (from 2024-06-01)
王小雨     522601201209050783  nothing (a child with no records)
=========  ==================  ==========================================================

王德明, 李秀英, 王建国, 张兰 and 王小雨 can form one household (head, spouse, son, daughter-in-law,
grandchild).
"""

from pathlib import Path

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_registry.csv"

DEMO_IDS = {
    "王德明": "52260119520315011X",
    "李秀英": "522601195508200229",
    "王建国": "522601198011020330",
    "张兰": "52260119830412044X",
    "杨光荣": "522601194801300558",
    "吴小红": "522601199006060666",
    "王小雨": "522601201209050783",
}
