"""View functions (decorated with a blueprint route) longer than 15 lines, body without docstring."""

import ast
import pathlib

limit = 15
out = []
for p in sorted(pathlib.Path("app").rglob("*.py")):
    tree = ast.parse(p.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call)
            and isinstance(d.func, ast.Attribute)
            and d.func.attr in ("route", "get", "post")
            for d in node.decorator_list
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
            ):
                body = body[1:]
            if not body:
                continue
            n = body[-1].end_lineno - body[0].lineno + 1
            if n > limit:
                out.append((n, f"{p}:{node.lineno} {node.name}"))
for n, w in sorted(out, reverse=True):
    print(n, w)
print("views over", limit, "lines:", len(out))
