"""Importing existing recipients (存量救助对象导入): households already receiving 低保 or 特困 under the old national
system become approved cases, so that the annual review, the hospital window's one-stop claims and the notices of
changes work for them from the first day.

The file is UTF-8 (a byte-order mark is allowed), comma-separated, one row per member, with a header row naming the
columns (any order). A household's own columns repeat on each of its rows and must agree.

====================  ========  ===============================================================================
column                required  content
====================  ========  ===============================================================================
household             yes       the household's key in this file: rows with the same key are one household
village               yes       12-digit village code (a village of the loaded jurisdictions)
address               yes       ≤ 300
program               yes       the program's code or name; only programs paid monthly with one case per
                                household (低保 ``dibao``, 特困 ``tekun``), not their reviews
old_case_number       yes       the case number in the old system (≤ 64); each is imported once
approved_on           yes       YYYY-MM-DD, the approval date (not in the future)
monthly_amount        yes       yuan per month, more than 0, at most two decimals
payment_starts        no        YYYY-MM or YYYY-MM-DD: the first month paid (default: the month after approval)
applied_on            no        YYYY-MM-DD: the application date, kept as the case's 受理时间 (default: approval)
last_reviewed_on      no        YYYY-MM-DD: the last review in the old system; the next one is counted from it
                                (default: from the approval)
irregular_income      no        yes/no: the household's income is irregular (the review rules may shorten the
                                interval)
name                  yes       the member's name (≤ 50)
relation              yes       head 户主, spouse 配偶, child 子女, parent 父母, grandchild 孙子女, sibling 兄弟姐妹,
                                other 其他 (the code or the Chinese name); one head per household
resident_id           yes       18-character resident ID number, check character valid
disabled,             no        yes/no (1/0, 是/否, true/false; empty: no); severely disabled implies disabled
severely_disabled,
seriously_ill,
student, single_parent
monthly_income        no        the member's income, yuan per month (default 0)
income_kind           no        wages 工资性收入 (default), business 经营净收入, property 财产净收入,
                                transfer 转移净收入
====================  ========  ===============================================================================

Rows are numbered as a spreadsheet shows them (the header is row 1). The whole file is checked before anything is
written: a file with any problem is refused whole, every problem named by its row (and the masked ID number, never
the full one). Problems besides the cells: a household without exactly one head, a person twice in one household
or in two households of the same program, a person recorded as deceased (死人保), a person already in an open or
approved case of the program when one person may be in only one (违规保人不保户), an old case number given to two
households.

A household whose old case number was imported before is skipped, so importing the same file twice does nothing the
second time; the number is kept in the ``case.imported`` audit event. Each imported case is created approved (amount,
approval date, first month paid), without a process, visible to its village, township and county offices, its staff
conflicts of interest registered as at opening, audited on the system chain (cases without a process have no chain of
their own) with the file's name and SHA-256, who imported it and the old case number, and enrolled in the annual
review (动态管理) like a case approved here.
"""

from .reading import importable, read_households
from .register import check_register
from .rows import AUDIT_KIND, COLUMNS, ImportedCase, ImportRefused, ImportResult
from .writing import import_recipients

__all__ = ["AUDIT_KIND", "COLUMNS", "ImportRefused", "ImportResult", "ImportedCase", "check_register", "importable",
           "import_recipients", "read_households"]
