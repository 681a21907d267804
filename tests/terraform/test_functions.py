"""Terraform built-in functions (iacguard.terraform.functions)."""
from __future__ import annotations

import base64
import gzip
import os
import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacguard.terraform import functions as F
from iacguard.terraform.functions import FUNCTIONS, FunctionError, call_function
from iacguard.core.unknown import Unknown, is_unknown

U = Unknown("var.x has no value")
CTX = types.SimpleNamespace(base_dir="/nonexistent/mod", root_dir="/nonexistent")


def call(name, *args, ctx=CTX):
    return call_function(name, list(args), ctx)


def same(a, b):
    """Equality that also tells 1 from 1.0 and True from 1."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


# --------------------------------------------------------------------------------------------
# Exact values (mostly Terraform's documented examples)
# --------------------------------------------------------------------------------------------

CASES = [
    # collections
    ("merge", [{"a": "b", "c": "d"}, {"e": "f", "c": "z"}], {"a": "b", "c": "z", "e": "f"}),
    ("merge", [{"a": 1}, None, {"b": [1]}], {"a": 1, "b": [1]}),
    ("merge", [], {}),
    ("concat", [["a", ""], ["b", "c"]], ["a", "", "b", "c"]),
    ("lookup", [{"a": "ay", "b": "bee"}, "a", "what?"], "ay"),
    ("lookup", [{"a": "ay", "b": "bee"}, "c", "what?"], "what?"),
    ("lookup", [{"a": "ay"}, "a"], "ay"),
    ("coalesce", ["a", "b"], "a"),
    ("coalesce", ["", "b"], "b"),
    ("coalesce", [1, 2], 1),
    ("coalesce", [None, 2], 2),
    ("coalesce", [None, "", 3], "3"),
    ("coalescelist", [["a", "b"], ["c", "d"]], ["a", "b"]),
    ("coalescelist", [[], ["c", "d"]], ["c", "d"]),
    ("length", [[]], 0),
    ("length", [["a", "b"]], 2),
    ("length", [{"a": "b"}], 1),
    ("length", ["hello"], 5),
    ("length", ["👾🕹️"], 2),
    ("length", ["e\u0301"], 1),
    ("element", [["a", "b", "c"], 1], "b"),
    ("element", [["a", "b", "c"], 3], "a"),
    ("element", [["a", "b", "c"], 1.0], "b"),
    ("index", [["a", "b", "c"], "b"], 1),
    ("index", [[1, 2, 3], 3], 2),
    ("contains", [["a", "b", "c"], "a"], True),
    ("contains", [["a", "b", "c"], "d"], False),
    ("contains", [[1, 2], 2.0], True),
    ("contains", [["1", "2"], 1], True),
    ("contains", [[True], 1], False),
    ("keys", [{"a": 1, "c": 2, "d": 3}], ["a", "c", "d"]),
    ("keys", [{"b": 1, "a": 2}], ["a", "b"]),
    ("values", [{"a": 3, "c": 2, "d": 1}], [3, 2, 1]),
    ("values", [{"b": 1, "a": 2}], [2, 1]),
    ("zipmap", [["a", "b"], [1, 2]], {"a": 1, "b": 2}),
    ("zipmap", [["a", "b"], [[1], {"x": 2}]], {"a": [1], "b": {"x": 2}}),
    ("flatten", [[["a", "b"], [], ["c"]]], ["a", "b", "c"]),
    ("flatten", [[[["a", "b"], []], ["c"]]], ["a", "b", "c"]),
    ("flatten", [[{"a": 1}, [{"b": 2}]]], [{"a": 1}, {"b": 2}]),
    ("distinct", [["a", "b", "a", "c", "d", "b"]], ["a", "b", "c", "d"]),
    ("distinct", [[1, 1.0, "1"]], [1, "1"]),
    ("compact", [["a", "", "b", None, "c"]], ["a", "b", "c"]),
    ("compact", [[1, "", True]], ["1", "true"]),
    ("slice", [["a", "b", "c", "d"], 1, 3], ["b", "c"]),
    ("slice", [["a"], 1, 1], []),
    ("sort", [["e", "d", "a", "x"]], ["a", "d", "e", "x"]),
    ("sort", [[10, 9, 1]], ["1", "10", "9"]),
    ("reverse", [[1, 2, 3]], [3, 2, 1]),
    ("range", [3], [0, 1, 2]),
    ("range", [1, 4], [1, 2, 3]),
    ("range", [1, 8, 2], [1, 3, 5, 7]),
    ("range", [1, 4, 0.5], [1, 1.5, 2, 2.5, 3, 3.5]),
    ("range", [4, 1], [4, 3, 2]),
    ("range", [10, 5, -2], [10, 8, 6]),
    ("range", [0, 1, 0.1], [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    ("range", [0], []),
    ("one", [[]], None),
    ("one", [["hello"]], "hello"),
    ("chunklist", [["a", "b", "c", "d", "e"], 2], [["a", "b"], ["c", "d"], ["e"]]),
    ("chunklist", [["a", "b", "c", "d", "e"], 1], [["a"], ["b"], ["c"], ["d"], ["e"]]),
    ("chunklist", [["a", "b"], 0], [["a", "b"]]),
    ("setunion", [["a", "b"], ["b", "c"], ["d"]], ["a", "b", "c", "d"]),
    ("setunion", [[3, 1], [2, 1]], [1, 2, 3]),
    ("setintersection", [["a", "b"], ["b", "c"], ["b", "d"]], ["b"]),
    ("setsubtract", [["a", "b", "c"], ["a", "c"]], ["b"]),
    ("setproduct", [["development", "staging", "production"], ["app1", "app2"]],
     [["development", "app1"], ["development", "app2"], ["staging", "app1"],
      ["staging", "app2"], ["production", "app1"], ["production", "app2"]]),
    ("setproduct", [["a"], []], []),
    ("transpose", [{"a": ["1", "2"], "b": ["2", "3"]}], {"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
    ("matchkeys", [["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"]],
     ["i-abc", "i-def"]),
    ("alltrue", [["true", True]], True),
    ("alltrue", [[True, False]], False),
    ("alltrue", [[]], True),
    ("anytrue", [["true"]], True),
    ("anytrue", [[False, "false"]], False),
    ("anytrue", [[]], False),
    ("list", ["a", 1], ["a", 1]),
    ("map", ["a", 1, "b", 2], {"a": 1, "b": 2}),
    ("sum", [[10, 13, 6, 4.5]], 33.5),
    ("sum", [[1, 2]], 3),
    ("sum", [[0.1, 0.2]], 0.3),
    # strings
    ("format", ["Hello, %s!", "Ander"], "Hello, Ander!"),
    ("format", ["There are %d lights", 4], "There are 4 lights"),
    ("format", ["%.2f|%5d|%-5d|%05d|%+d", 3.14159, 42, 42, 42, 42], "3.14|   42|42   |00042|+42"),
    ("format", ["%s %v %t %%", 1.5, True, True], "1.5 true true %"),
    ("format", ["%q", "hi \"x\""], '"hi \\"x\\""'),
    ("format", ["%v", [1, "a"]], '[1,"a"]'),
    ("format", ["%v", {"b": 1, "a": None}], '{"a":null,"b":1}'),
    ("format", ["%x %X %o %b %e", 255, 255, 8, 5, 1000000], "ff FF 10 101 1.000000e+06"),
    ("format", ["%g %g %g", 100000, 1000000, 123456789.5], "100000 1e+06 1.234567895e+08"),
    ("format", ["%[2]s-%[1]s", "a", "b"], "b-a"),
    ("format", ["%.3s|%5s|%-5s|", "abcdef", "ab", "ab"], "abc|   ab|ab   |"),
    ("format", ["%d", "12"], "12"),
    ("format", ["no verbs"], "no verbs"),
    ("formatlist", ["Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"]],
     ["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"]),
    ("formatlist", ["%s, %s!", "Salutations", ["Valentina", "Ander", "Olivia", "Sam"]],
     ["Salutations, Valentina!", "Salutations, Ander!", "Salutations, Olivia!",
      "Salutations, Sam!"]),
    ("formatlist", ["%s=%d", ["a", "b"], [1, 2]], ["a=1", "b=2"]),
    ("join", ["-", ["foo", "bar", "baz"]], "foo-bar-baz"),
    ("join", [", ", ["foo"]], "foo"),
    ("join", [",", ["a", 1, True], ["b"]], "a,1,true,b"),
    ("split", [",", "foo"], ["foo"]),
    ("split", [",", "foo,bar,baz"], ["foo", "bar", "baz"]),
    ("split", [",", ""], [""]),
    ("split", ["", "abc"], ["a", "b", "c"]),
    ("replace", ["1 + 2 + 3", "+", "-"], "1 - 2 - 3"),
    ("replace", ["hello world", "/w.*d/", "everybody"], "hello everybody"),
    ("replace", ["hello world", "/(h)(e)/", "$2$1$$ ${1}x $1x"], "eh$ hx llo world"),
    ("replace", ["a-b", "/(?P<first>\\w)-(?P<second>\\w)/", "${second}-$first"], "b-a"),
    ("replace", ["abc", "/", "x"], "abc"),
    ("replace", ["abxd", "/x*/", "-"], "-a-b-d-"),  # Go: no empty match right after a match
    ("regexall", ["x*", "abxd"], ["", "", "x", ""]),
    ("lower", ["HELLO"], "hello"),
    ("lower", ["АЛЛО!"], "алло!"),
    ("upper", ["hello"], "HELLO"),
    ("title", ["hello world"], "Hello World"),
    ("title", ["hello_world foo-bar ÉTÉ"], "Hello_world Foo-Bar ÉTÉ"),
    ("trimspace", ["  hello\n\n"], "hello"),
    ("trimspace", ["\u00a0x\u3000"], "x"),
    ("trim", ["?!hello?!", "!?"], "hello"),
    ("trim", ["foobar", "far"], "oob"),
    ("trimprefix", ["helloworld", "hello"], "world"),
    ("trimprefix", ["helloworld", "cat"], "helloworld"),
    ("trimsuffix", ["helloworld", "world"], "hello"),
    ("substr", ["hello world", 1, 4], "ello"),
    ("substr", ["🤔🤷", 0, 1], "🤔"),
    ("substr", ["hello world", -5, -1], "world"),
    ("substr", ["hello world", 6, 10], "world"),
    ("substr", ["hello", 10, 2], ""),
    ("substr", ["hello", -10, 2], "he"),
    ("startswith", ["hello world", "hello"], True),
    ("startswith", ["hello world", "world"], False),
    ("endswith", ["hello world", "world"], True),
    ("strcontains", ["hello world", "wor"], True),
    ("strcontains", ["hello world", "wod"], False),
    ("strrev", ["hello"], "olleh"),
    ("strrev", ["a☃"], "☃a"),
    ("strrev", ["ae\u0301"], "e\u0301a"),
    ("chomp", ["hello\n"], "hello"),
    ("chomp", ["hello\r\n"], "hello"),
    ("chomp", ["hello\n\n"], "hello"),
    ("indent", [2, "[\n  foo,\n  bar,\n]\n"], "[\n    foo,\n    bar,\n  ]\n  "),
    ("regex", ["[a-z]+", "53453453.345345aaabbbccc23454"], "aaabbbccc"),
    ("regex", ["(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"], ["2019", "02", "01"]),
    ("regex", ["^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?",
               "https://terraform.io/docs/"], {"scheme": "https", "authority": "terraform.io"}),
    ("regex", ["(a)?b", "b"], [None]),
    ("regexall", ["[a-z]+", "1234abcd5678efgh9"], ["abcd", "efgh"]),
    ("regexall", ["[a-z]+", "123"], []),
    ("regexall", ["(\\w)=(\\d)", "a=1 b=2"], [["a", "1"], ["b", "2"]]),
    ("length", [["a"] * 3], 3),
    # RE2 syntax on Python's engine
    ("regex", ["^abc$", "abc"], "abc"),
    ("regex", ["(?m)^b$", "a\nb\nc"], "b"),
    ("regex", ["a(?i)b|c", "C"], "C"),
    ("regex", ["(?i)HELLO", "say hello"], "hello"),
    ("regex", ["(?<year>\\d{4})", "in 2024"], {"year": "2024"}),
    ("regex", ["[[:alpha:]]+", "12ab3"], "ab"),
    ("regex", ["[^[:digit:]]+", "12ab3"], "ab"),
    ("regex", ["\\pL+", "héllo1"], "héllo"),
    ("regex", ["\\d+", "٣42"], "42"),  # RE2's \d is ASCII only
    ("regex", ["\\x{41}\\x42", "AB"], "AB"),
    ("regex", ["\\Qa.b\\E", "axb a.b"], "a.b"),
    ("regex", ["a{,2}", "xa{,2}"], "a{,2}"),
    ("regex", ["x\\z", "x"], "x"),
    ("regex", ["\\bon\\b", "é on"], "on"),
    ("regex", ["\\t\\n", "a\t\nb"], "\t\n"),
    ("regex", ["[\\t]+", "a\t\tb"], "\t\t"),
    ("regex", ["[a-]+", "-a-"], "-a-"),
    ("regex", ["[]a]+", "]a]"], "]a]"),
    # encoding
    ("jsonencode", [{"hello": "world"}], '{"hello":"world"}'),
    ("jsonencode", [{"b": [1, 2.5, True, None], "a": "<&>"}],
     '{"a":"\\u003c\\u0026\\u003e","b":[1,2.5,true,null]}'),
    ("jsonencode", ["é\u2028"], '"é\\u2028"'),
    ("jsonencode", [1e21], "1000000000000000000000"),
    ("jsonencode", [1e23], "100000000000000000000000"),
    ("jsonencode", [None], "null"),
    ("jsondecode", ['{"hello": "world"}'], {"hello": "world"}),
    ("jsondecode", ["true"], True),
    ("jsondecode", ['{"n": 1.0, "f": 1.5, "l": [1e3]}'], {"n": 1, "f": 1.5, "l": [1000]}),
    ("yamlencode", [{"a": "b", "c": "d"}], '"a": "b"\n"c": "d"\n'),
    ("yamlencode", [{"foo": [1, 2, 3], "bar": "baz"}], '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'),
    ("yamlencode", [{"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"}],
     '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n'),
    ("yamlencode", [{"a": {"b": [], "c": {}}, "n": None, "t": True}],
     '"a":\n  "b": []\n  "c": {}\n"n": null\n"t": true\n'),
    ("yamlencode", [[[1, 2], "x\ny"]], '- - 1\n  - 2\n- "x\\ny"\n'),
    ("yamldecode", ["hello: world"], {"hello": "world"}),
    ("yamldecode", ["true"], True),
    ("yamldecode", ["{a: &a [1, 2], b: *a}"], {"a": [1, 2], "b": [1, 2]}),
    ("yamldecode", ["d: 2020-01-01\nf: 2.0\nk: {1: x}"], {"d": "2020-01-01", "f": 2, "k": {"1": "x"}}),
    ("csvdecode", ["a,b,c\n1,2,3\n4,5,6"],
     [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]),
    ("base64encode", ["Hello World"], "SGVsbG8gV29ybGQ="),
    ("base64decode", ["SGVsbG8gV29ybGQ="], "Hello World"),
    ("textencodebase64", ["Hello World", "UTF-16LE"], "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
    ("textdecodebase64", ["SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"], "Hello World"),
    ("urlencode", ["Hello World!"], "Hello+World%21"),
    ("urlencode", ["☃"], "%E2%98%83"),
    ("urlencode", ["foo:bar@localhost?foo=bar&bar=baz"],
     "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz"),
    # type conversion
    ("tostring", ["hello"], "hello"),
    ("tostring", [1], "1"),
    ("tostring", [1.0], "1"),
    ("tostring", [0.1], "0.1"),
    ("tostring", [1e-7], "0.0000001"),
    ("tostring", [True], "true"),
    ("tostring", [None], None),
    ("tonumber", [1], 1),
    ("tonumber", ["1"], 1),
    ("tonumber", ["1.5"], 1.5),
    ("tonumber", ["1e3"], 1000),
    ("tonumber", ["-0.25"], -0.25),
    ("tonumber", [None], None),
    ("tobool", [True], True),
    ("tobool", ["false"], False),
    ("tobool", [None], None),
    ("tolist", [["a", "b", "c"]], ["a", "b", "c"]),
    ("tolist", [["a", "b", 3]], ["a", "b", "3"]),
    ("toset", [["a", "b", "c"]], ["a", "b", "c"]),
    ("toset", [["c", "b", "b"]], ["b", "c"]),
    ("toset", [["a", "b", 3]], ["3", "a", "b"]),
    ("toset", [[3, 1, 2, 1.0]], [1, 2, 3]),
    ("tomap", [{"a": 1, "b": 2}], {"a": 1, "b": 2}),
    ("tomap", [{"a": "foo", "b": True}], {"a": "foo", "b": "true"}),
    ("sensitive", [{"a": 1}], {"a": 1}),
    ("nonsensitive", ["x"], "x"),
    # numbers
    ("min", [12, 54, 3], 3),
    ("min", [1.5, "2"], 1.5),
    ("max", [12, 54, 3], 54),
    ("abs", [23], 23),
    ("abs", [0], 0),
    ("abs", [-12.4], 12.4),
    ("ceil", [5], 5),
    ("ceil", [5.1], 6),
    ("floor", [4.9], 4),
    ("floor", [-4.1], -5),
    ("log", [50, 10], 1.6989700043360185),
    ("log", [16, 2], 4),
    ("pow", [3, 2], 9),
    ("pow", [4, 0], 1),
    ("pow", [4, 0.5], 2),
    ("signum", [-13], -1),
    ("signum", [0], 0),
    ("signum", [344], 1),
    ("parseint", ["100", 10], 100),
    ("parseint", ["FF", 16], 255),
    ("parseint", ["-10", 16], -16),
    ("parseint", ["11111111", 2], 255),
    ("parseint", ["aA", 62], 656),  # above base 36, upper case letters are 36..61
    ("parseint", ["12", "10"], 12),
    # network
    ("cidrsubnet", ["172.16.0.0/12", 4, 2], "172.18.0.0/16"),
    ("cidrsubnet", ["10.1.2.0/24", 4, 15], "10.1.2.240/28"),
    ("cidrsubnet", ["fd00:fd12:3456:7890::/56", 16, 162], "fd00:fd12:3456:7800:a200::/72"),
    ("cidrsubnet", ["10.1.2.3/16", 8, 1], "10.1.1.0/24"),
    ("cidrsubnet", ["::/0", 16, 0], "::/16"),
    ("cidrsubnets", ["10.1.0.0/16", 4, 4, 8, 4],
     ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
    ("cidrsubnets", ["fd00:fd12:3456:7890::/56", 16, 16, 16, 32],
     ["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72",
      "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"]),
    ("cidrhost", ["10.12.112.0/20", 16], "10.12.112.16"),
    ("cidrhost", ["10.12.112.0/20", 268], "10.12.113.12"),
    ("cidrhost", ["10.12.112.0/20", -1], "10.12.127.255"),
    ("cidrhost", ["fd00:fd12:3456:7890:00a2::/72", 34], "fd00:fd12:3456:7890::22"),
    ("cidrnetmask", ["172.16.0.0/12"], "255.240.0.0"),
    # hashes
    ("md5", ["hello world"], "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ("sha1", ["hello world"], "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ("sha256", ["hello world"], "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    ("sha512", ["hello world"],
     "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f"
     "989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"),
    ("base64sha256", ["hello world"], "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    ("uuidv5", ["dns", "www.terraform.io"], "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("uuidv5", ["url", "https://www.terraform.io/"], "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
    ("uuidv5", ["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io"],
     "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    # time
    ("formatdate", ["DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"], "02 Jan 2018 23:12 UTC"),
    ("formatdate", ["EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"],
     "Tuesday, 02-Jan-18 23:12:01 UTC"),
    ("formatdate", ["EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"],
     "Tue, 02 Jan 2018 23:12:01 -0800"),
    ("formatdate", ["MMM DD, YYYY", "2018-01-02T23:12:01Z"], "Jan 02, 2018"),
    ("formatdate", ["HH:mmaa", "2018-01-02T23:12:01Z"], "11:12pm"),
    ("formatdate", ["h 'o''clock'", "2018-01-02T07:12:01Z"], "7 o'clock"),
    ("formatdate", ["YYYY-MM-DD'T'hh:mm:ssZ", "2018-01-02T23:12:01+05:30"],
     "2018-01-02T23:12:01+05:30"),
    ("timeadd", ["2017-11-22T00:00:00Z", "10m"], "2017-11-22T00:10:00Z"),
    ("timeadd", ["2017-11-22T00:00:00Z", "-1h30m"], "2017-11-21T22:30:00Z"),
    ("timeadd", ["2017-11-22T00:00:00+01:00", "1.5h"], "2017-11-22T01:30:00+01:00"),
    ("timecmp", ["2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"], 0),
    ("timecmp", ["2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00"], 0),
    ("timecmp", ["2017-11-22T00:00:00Z", "2017-11-22T00:00:01Z"], -1),
    # paths (no file access)
    ("basename", ["foo/bar/baz.txt"], "baz.txt"),
    ("basename", ["foo/bar/"], "bar"),
    ("basename", [""], "."),
    ("basename", ["/"], "/"),
    ("dirname", ["foo/bar/baz.txt"], "foo/bar"),
    ("dirname", ["foo"], "."),
    ("dirname", ["/foo"], "/"),
    ("dirname", ["a//b"], "a"),
    ("pathexpand", ["/etc/resolv.conf"], "/etc/resolv.conf"),
    ("abspath", ["x/../y.txt"], "/nonexistent/mod/y.txt"),
    ("abspath", ["/abs/path"], "/abs/path"),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(CASES)])
def test_exact_values(name, args, expected):
    result = call(name, *args)
    assert same(result, expected), result


def test_base64gzip_round_trips():
    encoded = call("base64gzip", "test")
    assert gzip.decompress(base64.b64decode(encoded)) == b"test"
    assert call("base64gzip", "test") == encoded  # deterministic


def test_every_documented_function_exists():
    wanted = """merge concat lookup coalesce coalescelist length element index contains keys values
        zipmap flatten distinct compact slice sort reverse range one format formatlist join split
        replace lower upper title trimspace trim trimprefix trimsuffix substr startswith endswith
        strrev chomp indent regex regexall jsonencode jsondecode yamlencode yamldecode base64encode
        base64decode base64gzip tostring tonumber tobool tolist toset tomap cidrsubnet cidrsubnets
        cidrhost cidrnetmask min max abs ceil floor log pow signum parseint sum setunion
        setintersection setsubtract setproduct chunklist transpose matchkeys alltrue anytrue list
        map md5 sha1 sha256 sha512 uuid timestamp uuidv5 formatdate file fileexists fileset
        templatefile filebase64 filemd5 filesha256 abspath basename dirname pathexpand urlencode
        nonsensitive sensitive type strcontains""".split()
    assert [n for n in wanted if n not in FUNCTIONS] == []


def test_unknown_function_and_evaluator_functions_raise_keyerror():
    for name in ("nope", "can", "try", "provider::aws::arn_parse"):
        with pytest.raises(KeyError):
            call(name, 1)


# --------------------------------------------------------------------------------------------
# Unknown propagation
# --------------------------------------------------------------------------------------------

UNKNOWN_CASES = [
    ("lower", [U]),
    ("format", ["%s", U]),
    ("format", [U, "x"]),
    ("join", [",", ["a", U]]),
    ("jsonencode", [{"a": [U]}]),
    ("yamlencode", [{"a": U}]),
    ("compact", [["a", U]]),
    ("coalesce", [U, "x"]),
    ("coalesce", [None, U, "x"]),
    ("coalescelist", [U, ["x"]]),
    ("distinct", [["a", U]]),
    ("sort", [["b", U]]),
    ("toset", [["a", U]]),
    ("flatten", [[["a"], U]]),
    ("index", [["a", U], "a"]),
    ("contains", [["a", U], "b"]),
    ("contains", [[U, Unknown("other")], "b"]),
    ("contains", [["a"], U]),
    ("element", [U, 0]),
    ("element", [["a"], U]),
    ("lookup", [U, "a", "d"]),
    ("lookup", [{"a": 1}, U, "d"]),
    ("lookup", [{"a": U}, "a", "d"]),
    ("merge", [{"a": 1}, U]),
    ("length", [U]),
    ("keys", [U]),
    ("alltrue", [[True, U]]),
    ("anytrue", [[False, U]]),
    ("cidrsubnet", ["10.0.0.0/16", 8, U]),
    ("max", [1, U]),
    ("regex", ["a", U]),
    ("formatdate", ["YYYY", U]),
    ("file", [U]),
    ("fileexists", [U]),
    ("tostring", [U]),
    ("tonumber", [U]),
    ("setunion", [["a"], U]),
    ("one", [U]),
    ("slice", [U, 0, 1]),
    ("zipmap", [["a", U], [1, 2]]),
    ("map", [U, 1]),
    # Unknown by design
    ("uuid", []),
    ("timestamp", []),
    ("plantimestamp", []),
    ("bcrypt", ["secret"]),
    ("type", ["x"]),
    ("pathexpand", ["~/.ssh/id_rsa"]),
    ("issensitive", ["x"]),
]


@pytest.mark.parametrize(("name", "args"), UNKNOWN_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(UNKNOWN_CASES)])
def test_unknown_results(name, args):
    assert is_unknown(call(name, *args))


def test_unknown_keeps_its_reason():
    assert call("upper", U).reason == U.reason
    assert call("format", "%s-%s", "a", U).reason == U.reason


KNOWN_DESPITE_UNKNOWN = [
    ("length", [[U, 1]], 2),
    ("length", [{"a": U}], 1),
    ("merge", [{"a": 1}, {"b": U}], {"a": 1, "b": U}),
    ("concat", [[U], [1]], [U, 1]),
    ("coalesce", ["x", U], "x"),
    ("coalescelist", [[U], ["x"]], [U]),
    ("keys", [{"b": U, "a": 1}], ["a", "b"]),
    ("values", [{"b": U, "a": 1}], [1, U]),
    ("lookup", [{"a": 1, "b": U}, "a", 0], 1),
    ("lookup", [{"b": U}, "a", "dflt"], "dflt"),
    ("lookup", [{"a": 1}, "a", U], 1),
    ("element", [[U, "b"], 1], "b"),
    ("slice", [[U, "b", "c"], 1, 3], ["b", "c"]),
    ("reverse", [[U, 1]], [1, U]),
    ("one", [[U]], U),
    ("contains", [[U, "a"], "a"], True),
    ("alltrue", [[U, False]], False),
    ("anytrue", [[U, True]], True),
    ("zipmap", [["a", "b"], [U, 2]], {"a": U, "b": 2}),
    ("flatten", [[[{"a": U}], ["b"]]], [{"a": U}, "b"]),
    ("chunklist", [[U, 1, 2], 2], [[U, 1], [2]]),
    ("list", [U, 1], [U, 1]),
    ("map", ["a", U], {"a": U}),
    ("tolist", [["a", U]], ["a", U]),
    ("tomap", [{"a": U}], {"a": U}),
    ("sensitive", [U], U),
]


@pytest.mark.parametrize(("name", "args", "expected"), KNOWN_DESPITE_UNKNOWN,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(KNOWN_DESPITE_UNKNOWN)])
def test_known_results_despite_unknown_parts(name, args, expected):
    assert call(name, *args) == expected


# --------------------------------------------------------------------------------------------
# Errors: FunctionError (Terraform would fail; try/can catch it) vs Unknown (bad arguments)
# --------------------------------------------------------------------------------------------

ERROR_CASES = [
    ("element", [[], 0]),
    ("element", [["a"], -1]),
    ("index", [["a", "b"], "c"]),
    ("one", [[1, 2]]),
    ("regex", ["[a-z]+", "123"]),
    ("regex", ["(", "x"]),
    ("regex", ["(a)\\1", "aa"]),  # RE2 has no backreferences...
    ("regex", ["(?=a)", "a"]),  # ...nor lookarounds
    ("regex", ["a**", "a"]),
    ("regex", ["a{1001}", "a"]),
    ("regex", ["(?P<n>a)(b)", "ab"]),  # named and unnamed groups mixed
    ("regex", ["\\y", "y"]),
    ("replace", ["x", "/(/", "y"]),
    ("jsondecode", ["{invalid"]),
    ("jsondecode", ["NaN"]),
    ("jsondecode", ["[1] [2]"]),
    ("yamldecode", ["a: [1"]),
    ("yamldecode", ["a: 1\n---\nb: 2"]),
    ("csvdecode", ["a,b\n1"]),
    ("base64decode", ["not base64!"]),
    ("base64decode", ["/w=="]),  # not UTF-8
    ("tonumber", ["abc"]),
    ("tonumber", [" 1"]),
    ("tonumber", [True]),
    ("tonumber", [[1]]),
    ("tobool", ["yes"]),
    ("tobool", [1]),
    ("tostring", [[1]]),
    ("tostring", [{"a": 1}]),
    ("tolist", [{"a": 1}]),
    ("tolist", [[1, [2]]]),
    ("toset", ["a"]),
    ("tomap", [["a"]]),
    ("lookup", [{"a": 1}, "b"]),
    ("cidrsubnet", ["10.0.0.0/24", 4, 16]),
    ("cidrsubnet", ["10.0.0.0/24", 9, 0]),
    ("cidrsubnet", ["10.0.0.0", 4, 1]),
    ("cidrsubnet", ["not a cidr/8", 4, 1]),
    ("cidrsubnets", ["10.0.0.0/24", 1, 1, 1]),
    ("cidrhost", ["10.0.0.0/30", 4]),
    ("cidrhost", ["10.0.0.0/30", -5]),
    ("cidrnetmask", ["fd00::/8"]),
    ("coalesce", [None, ""]),
    ("coalescelist", [[], []]),
    ("zipmap", [["a"], [1, 2]]),
    ("slice", [["a"], 0, 2]),
    ("slice", [["a", "b"], 2, 1]),
    ("slice", [["a"], -1, 1]),
    ("range", [0, 10, 0]),
    ("range", [0, 10, -1]),
    ("range", [0, 2000]),
    ("chunklist", [["a"], -1]),
    ("sum", [[]]),
    ("min", []),
    ("parseint", ["12", 2]),
    ("parseint", ["ff", 63]),
    ("parseint", ["0x10", 16]),
    ("format", ["%s"]),
    ("format", ["%s", "a", "b"]),
    ("format", ["%d", 1.5]),
    ("format", ["%d", "x"]),
    ("format", ["%s", None]),
    ("format", ["%s", [1]]),
    ("format", ["%y", 1]),
    ("format", ["100%"]),
    ("formatlist", ["%s %s", ["a"], ["b", "c"]]),
    ("map", ["a", 1, "a", 2]),
    ("matchkeys", [["a"], ["x", "y"], ["x"]]),
    ("formatdate", ["YYYY", "2018-13-01T00:00:00Z"]),
    ("formatdate", ["YYYY", "yesterday"]),
    ("formatdate", ["YYYY", "2018-01-02t23:12:01z"]),
    ("formatdate", ["YYY", "2018-01-01T00:00:00Z"]),
    ("formatdate", ["Q", "2018-01-01T00:00:00Z"]),
    ("timeadd", ["2017-11-22T00:00:00Z", "10 minutes"]),
    ("uuidv5", ["nope", "x"]),
    ("textencodebase64", ["x", "no-such-encoding"]),
    ("setunion", [[1, [2]]]),
]


@pytest.mark.parametrize(("name", "args"), ERROR_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(ERROR_CASES)])
def test_function_errors(name, args):
    with pytest.raises(FunctionError):
        call(name, *args)


# Known arguments of the wrong type (or the wrong number of them) are errors in Terraform, so
# try() and can() must see them: they raise FunctionError rather than give Unknown.
TYPE_ERROR_CASES = [
    ("lower", [[1]]),
    ("lower", [None]),
    ("upper", []),
    ("upper", ["a", "b"]),
    ("abs", [True]),
    ("keys", [["a"]]),
    ("merge", [["a"]]),
    ("concat", ["a"]),
    ("join", [",", [[1]]]),
]


@pytest.mark.parametrize(("name", "args"), TYPE_ERROR_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(TYPE_ERROR_CASES)])
def test_known_arguments_of_the_wrong_type_are_errors(name, args):
    with pytest.raises(FunctionError):
        call(name, *args)


def test_wrong_type_with_unknown_arguments_stays_unknown():
    assert is_unknown(call("join", ",", [[1], Unknown("later")]))


BAD_ARGUMENT_CASES = [
    ("length", [None]),
    ("length", [5]),
    ("abs", ["x"]),
    ("element", [["a"], 0.5]),
    ("log", [0, 10]),
    ("pow", [10, 400]),
    ("indent", [10 ** 9, "a\nb"]),
    ("format", ["%999999999d", 1]),
    ("setproduct", [list(range(1000)), list(range(1000))]),
    ("regex", ["\\p{Greek}", "α"]),  # valid RE2 Python cannot express
    ("regex", ["(?U)a+", "aa"]),
    ("yamldecode", ["a: !!binary aGVsbG8="]),
    ("jsondecode", ["[" * 5000 + "]" * 5000]),
]


def test_file_functions_without_usable_ctx_give_unknown():
    assert is_unknown(call("file", "x.txt", ctx=None))
    assert is_unknown(call("fileset", ".", "*", ctx=types.SimpleNamespace()))


@pytest.mark.parametrize(("name", "args"), BAD_ARGUMENT_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(BAD_ARGUMENT_CASES)])
def test_bad_arguments_give_unknown(name, args):
    assert is_unknown(call(name, *args))


def test_yaml_alias_bomb_is_bounded():
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
    assert is_unknown(call("yamldecode", "\n".join(lines)))


def test_yamldecode_is_safe():
    with pytest.raises(FunctionError):
        call("yamldecode", "!!python/object/apply:os.system ['true']")


# --------------------------------------------------------------------------------------------
# Regular expressions that could backtrack for ever
# --------------------------------------------------------------------------------------------


def test_catastrophic_regex_times_out(monkeypatch):
    monkeypatch.setattr(F, "_REGEX_SECONDS", 0.05)
    assert is_unknown(call("regex", "(a+)+b", "a" * 60))
    assert is_unknown(call("replace", "a" * 60, "/(a|aa)+b/", "x"))


def test_catastrophic_regex_without_timer_refuses_long_input(monkeypatch):
    monkeypatch.setattr(F, "_timer_usable", lambda: False)
    assert is_unknown(call("regex", "(a+)+b", "a" * 60))
    assert call("regex", "(a+)+b", "aaab") == ["aaa"]  # short inputs still run
    assert call("regex", "^[a-z]+$", "a" * 100_000) == "a" * 100_000  # linear: any length
    assert is_unknown(call("regexall", "a*a*a*a*b", "a" * 5000))


# --------------------------------------------------------------------------------------------
# File functions
# --------------------------------------------------------------------------------------------


class Ctx:
    def __init__(self, root, base, renderer=None):
        self.root_dir = str(root)
        self.base_dir = str(base)
        if renderer is not None:
            self.render_template = renderer


@pytest.fixture()
def tree(tmp_path):
    root = tmp_path / "root"
    mod = root / "mod"
    (mod / "files" / "sub").mkdir(parents=True)
    (mod / "files" / "a.txt").write_text("hello\n")
    (mod / "files" / "b.tf").write_text("b")
    (mod / "files" / "sub" / "c.txt").write_text("c")
    (mod / "files" / "bin.dat").write_bytes(b"\xff\x00")
    (root / "shared.txt").write_text("shared")
    (mod / "tpl.tftpl").write_text("Hello ${name}")
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", mod / "files" / "escape.txt")
    os.symlink(root / "shared.txt", mod / "files" / "inside_link.txt")
    os.symlink(tmp_path, mod / "updir")
    return types.SimpleNamespace(tmp=tmp_path, root=root, mod=mod, ctx=Ctx(root, mod))


def test_file_reads_inside_root(tree):
    ctx = tree.ctx
    assert call("file", "files/a.txt", ctx=ctx) == "hello\n"
    assert call("file", str(tree.mod / "files" / "a.txt"), ctx=ctx) == "hello\n"
    assert call("file", "../shared.txt", ctx=ctx) == "shared"
    assert call("file", "files/inside_link.txt", ctx=ctx) == "shared"
    assert call("filebase64", "files/bin.dat", ctx=ctx) == "/wA="
    assert call("filemd5", "files/a.txt", ctx=ctx) == "b1946ac92492d2347c6235b4d2611184"
    assert call("filesha256", "files/a.txt", ctx=ctx) == \
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    assert call("filesha1", "files/a.txt", ctx=ctx) == "f572d396fae9206628714fb2ce00f72e94f2258f"
    assert call("filebase64sha256", "files/a.txt", ctx=ctx) == \
        "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="
    assert call("fileexists", "files/a.txt", ctx=ctx) is True
    assert call("fileexists", "files/missing.txt", ctx=ctx) is False


@pytest.mark.parametrize("fn", ["file", "filebase64", "filemd5", "filesha256", "fileexists",
                                "templatefile"])
@pytest.mark.parametrize("path", ["../../outside.txt", "files/escape.txt", "updir/outside.txt",
                                  "/etc/passwd", "../../root/../outside.txt"])
def test_file_functions_refuse_paths_outside_root(tree, fn, path):
    # Unknown, not an error: try()/can() must not turn a refusal into a fallback value.
    args = [path, {}] if fn == "templatefile" else [path]
    result = call(fn, *args, ctx=tree.ctx)
    assert isinstance(result, Unknown) and "not read" in result.reason and "outside" in result.reason


def test_fileset_refuses_folder_outside_root(tree):
    result = call("fileset", "../..", "*", ctx=tree.ctx)
    assert isinstance(result, Unknown) and "outside the scanned root" in result.reason


def test_file_errors(tree):
    ctx = tree.ctx
    with pytest.raises(FunctionError, match="no file"):
        call("file", "files/missing.txt", ctx=ctx)
    with pytest.raises(FunctionError, match="regular file"):
        call("file", "files", ctx=ctx)
    with pytest.raises(FunctionError, match="regular file"):
        call("fileexists", "files", ctx=ctx)
    with pytest.raises(FunctionError, match="UTF-8"):
        call("file", "files/bin.dat", ctx=ctx)
    big = tree.mod / "big.txt"
    with open(big, "wb") as f:
        f.truncate(F._MAX_FILE_BYTES + 1)  # sparse: cheap
    with pytest.raises(FunctionError, match="larger"):
        call("file", "big.txt", ctx=ctx)
    with pytest.raises(FunctionError, match="larger"):
        call("filesha256", "big.txt", ctx=ctx)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tree):
    os.mkfifo(tree.mod / "pipe")
    for fn in ("file", "filebase64", "fileexists"):
        result = call(fn, "pipe", ctx=tree.ctx)
        assert isinstance(result, Unknown) and "a FIFO" in result.reason
    assert call("fileset", ".", "*", ctx=tree.ctx) == ["tpl.tftpl"]


def test_device_is_refused(tree):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    ctx = Ctx("/dev", "/dev")  # a root holding devices: still not regular files
    result = call("file", "null", ctx=ctx)
    assert isinstance(result, Unknown) and "a device" in result.reason
    result = call("file", "/dev/null", ctx=tree.ctx)  # outside root anyway
    assert isinstance(result, Unknown) and "outside" in result.reason


def test_fileset(tree):
    ctx = tree.ctx
    assert call("fileset", "files", "*.txt", ctx=ctx) == ["a.txt", "inside_link.txt"]
    assert call("fileset", "files", "**", ctx=ctx) == \
        ["a.txt", "b.tf", "bin.dat", "inside_link.txt", "sub/c.txt"]
    assert call("fileset", "files", "**/*.txt", ctx=ctx) == \
        ["a.txt", "inside_link.txt", "sub/c.txt"]
    assert call("fileset", "files", "{a,b}.*", ctx=ctx) == ["a.txt", "b.tf"]
    assert call("fileset", "files", "[ab].t?", ctx=ctx) == ["b.tf"]
    assert call("fileset", "files", "sub/*", ctx=ctx) == ["sub/c.txt"]
    assert call("fileset", "nothing-here", "*", ctx=ctx) == []
    with pytest.raises(FunctionError):
        call("fileset", "files", "[ab", ctx=ctx)


def test_templatefile_uses_the_evaluator_hook(tree):
    seen = []

    def render(text, variables, line):
        seen.append((text, variables, line))
        return text.replace("${name}", variables["name"])

    ctx = Ctx(tree.root, tree.mod, renderer=render)
    assert call("templatefile", "tpl.tftpl", {"name": "world"}, ctx=ctx) == "Hello world"
    assert seen == [("Hello ${name}", {"name": "world"}, 1)]
    # Unknown variable values are the renderer's business.
    call("templatefile", "tpl.tftpl", {"name": U}, ctx=ctx)
    assert seen[-1][1] == {"name": U}
    assert is_unknown(call("templatefile", "tpl.tftpl", U, ctx=ctx))
    assert call("templatestring", "Hi ${name}", {"name": "x"}, ctx=ctx) == "Hi x"
    with pytest.raises(FunctionError):
        call("templatefile", "missing.tftpl", {}, ctx=ctx)
    # Without a renderer: Unknown.
    assert is_unknown(call("templatefile", "tpl.tftpl", {"name": "x"}, ctx=tree.ctx))


def test_templatefile_renderer_errors(tree):
    def failing(text, variables, line):
        raise FunctionError("template: undefined variable")

    def crashing(text, variables, line):
        raise KeyError("oops")

    with pytest.raises(FunctionError):
        call("templatefile", "tpl.tftpl", {}, ctx=Ctx(tree.root, tree.mod, renderer=failing))
    assert is_unknown(call("templatefile", "tpl.tftpl", {},
                           ctx=Ctx(tree.root, tree.mod, renderer=crashing)))


# --------------------------------------------------------------------------------------------
# No function raises anything but FunctionError/KeyError, whatever the arguments
# --------------------------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10),
    st.sampled_from(["", ",", "a,b", "10.0.0.0/16", "fd00::/8", "%s %d", "%v", "/a(b)/", "true",
                     "1.5", "2018-01-02T23:12:01Z", "10m", "**", "*.txt", "a.txt", "../x",
                     '{"a":1}', "a: [1]", "[a-z]+", "(a+)+", "dns", "UTF-8", "~/x"]),
    st.just(U),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def fuzz_ctx(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzzroot")
    (root / "mod").mkdir()
    (root / "mod" / "a.txt").write_text("${x}")
    return Ctx(root, root / "mod", renderer=lambda text, variables, line: text)


def _plain(v):
    if isinstance(v, list):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain(x) for k, x in v.items())
    return v is None or isinstance(v, (bool, int, float, str, Unknown))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FUNCTIONS)), args=st.lists(_VALUES, max_size=4))
def test_functions_only_raise_function_error(fuzz_ctx, name, args):
    try:
        result = call_function(name, args, fuzz_ctx)
    except FunctionError:
        return
    assert _plain(result), result
