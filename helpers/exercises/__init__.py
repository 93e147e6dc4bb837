"""Self-checking exercises: ``check("1.3", answer)`` and the answer bank behind it.

The bank (``helpers/answers/lesson_NN.json``, one file per lesson) holds, for each question, the kind of
answer expected, how it is normalised, a hint pointing back to the lesson, and
only *salted SHA-256 hashes* of the accepted answers: no answer is stored in
plain text anywhere under ``helpers/``.

Answer kinds
------------
``number``      a number, rounded to ``decimals`` places before hashing; answers one
                step away (10**-decimals) are also accepted, so the tolerance is
                stated and a rounding edge cannot fail a right answer.
``integer``     a whole number (years, counts).
``text``        a string, compared after folding case, accents, spacing and
                punctuation; several spellings may be accepted (pinyin, Wade-Giles).
``date``        a date in any usual form ("1957-11-18", "18 November 1957",
                "Nov 18, 1957", a ``datetime.date`` or ``pandas.Timestamp``).
``set``         a collection whose order does not matter (list, tuple, set, Series).
``sequence``    a collection whose order matters.
``table``       a pandas DataFrame or Series; compared on its values after rounding,
                sorted by index unless ``ordered`` is set.

Every reasonable form of a right answer is read: numpy and pandas scalars and arrays
(``StringArray``, ``IntegerArray``, a Categorical, an Index), a one-element list or Series for a
single value, a ``Period`` (a year for a whole number, a month for a text such as '1959-03'), a
``Timedelta`` as its days, ``numpy.datetime64``, numbers written as text ('1,957', '12,5',
'−12.5', '5%' read both as 5 and 0.05), dates as '1954.10.12', '19541012', '12 Oct. 1954' or
'1954年10月12日'. Forms that could be read two ways are refused with both readings ('10/12/1954',
'1,234' for a number), as are a year or a month where a day is asked for. A wrong number that is
right once multiplied or divided by 100 is named as a percentage slip. In a notebook, an answer
whose cell stopped with an error is not judged (its value is a leftover): the IPython hooks
``pre_run_cell``/``post_run_cell`` note which names a failed cell meant to set.

Authors register a question once with :func:`register` (see the README's
teachers' section); students only ever call :func:`check`.
"""

from __future__ import annotations

from helpers.errors import called_right
from helpers.exercises.bank import (
    BANK_DIR,
    KINDS,
    NOT_ANSWERED,
    RegisterError,
    add_alternative,
    alternative_of,
    form_only_entry,
    known_questions,
    register,
)
from helpers.exercises.bank import _bank as load_bank
from helpers.exercises.bank import _hash as answer_hash
from helpers.exercises.forms import (
    AnswerFormError,
    _norm_item,  # noqa: F401 - the tests of answer forms use it
)
from helpers.exercises.forms import _candidates as answer_forms
from helpers.exercises.forms import _fold_text as fold_text
from helpers.exercises.ipython import _watch, install  # noqa: F401 - _watch: the tests of the hooks use it
from helpers.exercises.verdicts import Feedback, check, grade, judge

# a call missing an argument: an ArgumentError showing how the function is called
check, grade, judge, register, known_questions, form_only_entry = map(called_right, (check, grade, judge, register, known_questions, form_only_entry))
load_bank, answer_hash, answer_forms, fold_text, install = map(called_right, (load_bank, answer_hash, answer_forms, fold_text, install))

__all__ = [
    "check", "grade", "judge", "register", "add_alternative", "alternative_of", "known_questions", "form_only_entry",
    "Feedback", "BANK_DIR", "KINDS", "NOT_ANSWERED", "AnswerFormError", "RegisterError", "load_bank", "answer_hash",
    "answer_forms", "fold_text", "install",
]
