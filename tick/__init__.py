"""TICKscript, Kapacitor's pipeline language: grammar, syntax tree, pipeline builder,
formatter and lambda compiler.

::

    from leyden.tick import compile, format

    pipeline = compile("stream|from().measurement('cpu')|httpOut('out')", plugins)
    print(format("stream|from().measurement('cpu')"))
"""

from ._lambda_types import LType as LType
from ._lambda_types import Time as Time
from ._lambda_types import declare as declare
from .builder import HandlerContext as HandlerContext
from .builder import Macro as Macro
from .builder import compile as compile
from .builder import declared_vars as declared_vars
from .durations import DURATION_UNITS as DURATION_UNITS
from .durations import format_duration_literal as format_duration_literal
from .durations import format_go_duration as format_go_duration
from .durations import parse_api_duration as parse_api_duration
from .durations import parse_duration_literal as parse_duration_literal
from .durations import parse_go_duration as parse_go_duration
from .durations import parse_influxql_duration as parse_influxql_duration
from .fmt import format as format
from .fmt import format_expression as format_expression
from .parser import parse as parse
from .parser import parse_lambda as parse_lambda
from .plugin import TickCompiler as TickCompiler
