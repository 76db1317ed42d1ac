"""Calling the dashboard's callbacks over its own HTTP API, as the browser does, in the dashboard tests."""
from __future__ import annotations


def callback_response(client, output: str, inputs: list[dict], state: list[dict] = ()) -> dict:
    """The JSON response of the callback that fills ``output`` (``"id.property"``), the first input changed."""
    spec = next(c for c in client.get("/_dash-dependencies").get_json() if output in c["output"])
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in spec["output"].strip(".").split("...")]
    payload = {"output": spec["output"], "outputs": outputs if spec["output"].startswith("..") else outputs[0],
               "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"], "inputs": inputs,
               "state": list(state)}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()["response"]
