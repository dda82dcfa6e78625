# git-screenlink's `serve`: mlx-lm's OpenAI-compatible server, run with the Python that has
# mlx-lm, its arguments as `mlx_lm server` takes them.
#
# mlx-lm serves the adapter to requests that name no model or "default_model"; a request that
# names the model by the id `GET /v1/models` lists (its resolved path), by the path given, or as
# "screenlink" would load the base model alone, silently, so an editor that picks the model
# from the list would never see the fine-tuning. Those names are bound to base + adapter here.
# If this mlx-lm keeps its model maps elsewhere, the server runs as it is, with a warning.
#
# mlx-lm opens its port first and loads the model in its generation thread: a server that
# answers may have no model yet, and one whose model failed to load answers every request with
# an error. The load is reported (LOADED, which git-screenlink waits for before it says the
# server is ready), and a failed load stops the server (FAILED, then the exit).
import os
import sys
import traceback

from mlx_lm import server

NAMES = ["screenlink"]
provider = getattr(server, "ModelProvider", None)
original = getattr(provider, "__init__", None)


def bound(self, cli_args, *rest, **kw):
    original(self, cli_args, *rest, **kw)
    models, adapters = getattr(self, "_model_map", None), getattr(self, "_adapter_map", None)
    if not isinstance(models, dict) or not isinstance(adapters, dict) or not cli_args.model:
        print("git-screenlink: warning: this mlx-lm serves the adapter only to requests that name no model", file=sys.stderr)
        return
    names = set(NAMES) | {cli_args.model}
    if os.path.exists(cli_args.model):
        names.add(os.path.realpath(cli_args.model))
    for name in names:
        models[name] = cli_args.model
        adapters[name] = cli_args.adapter_path


LOADED = "git-screenlink: model loaded"
FAILED = "git-screenlink: model failed to load: "
original_load = getattr(provider, "load_default", None)


def load_default(self):
    try:
        original_load(self)
    except BaseException as e:
        traceback.print_exc()
        print(FAILED + (str(e).strip().splitlines() or [type(e).__name__])[-1], file=sys.stderr, flush=True)
        os._exit(3)
    print(LOADED, file=sys.stderr, flush=True)


if original is not None:
    provider.__init__ = bound
if original_load is not None:
    provider.load_default = load_default
else:
    # No load to wait for here: ready when the port answers.
    print(LOADED, file=sys.stderr, flush=True)
sys.argv = ["mlx_lm.server"] + sys.argv[1:]
server.main()
