"""What the Dash renderer sends, rebuilt for the benches that talk to `cijobs serve` over HTTP."""
from __future__ import annotations


def component_props(tree) -> dict:
    """{component id: props} for every component with a string id in a Dash layout (as JSON)."""
    found: dict = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "props" in node and "type" in node:
                props = node["props"]
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props
                for value in props.values():
                    walk(value)
            else:
                for value in node.values():
                    walk(value)

    walk(tree)
    return found


def output_specs(dependency: dict) -> list[dict] | dict:
    """The ``outputs`` field as the renderer sends it: a list for multi-output callbacks, else one dict."""
    output = dependency["output"]
    if output.startswith(".."):
        return [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in output[2:-2].split("...")]
    component, prop = output.rsplit(".", 1)
    return {"id": component, "property": prop}
