"""Keep TensorFlow's start-up log off the pages.

TensorFlow 2.21 writes "WARNING: All log messages before absl::InitializeLog() is called …" and
glog-style lines ("I0000 00:00:… port.cc:153] oneDNN custom operations are on …") to stderr when a
kernel first uses it, whatever TF_CPP_MIN_LOG_LEVEL says. They are plumbing, not lesson output:
this drops those lines from every stderr output (and an output left empty), and keeps any other
stderr text, such as a warning a lesson shows on purpose.
"""
import re

from docutils import nodes

TF_LOG = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called.*"
                    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.]+:\d+\] .*)$")


def strip_tf_log(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not TF_LOG.match(line)).strip("\n")


def _filter(app, doctree):
    for block in list(doctree.findall(nodes.literal_block)):
        if "stderr" not in block.get("classes", []):
            continue
        kept = strip_tf_log(block.astext())
        if kept == block.astext().strip("\n"):
            continue
        parent = block.parent
        if kept:
            new = nodes.literal_block(kept, kept, classes=list(block["classes"]))
            for key in ("language", "linenos", "highlight_args"):
                if key in block:
                    new[key] = block[key]
            block.replace_self(new)
            continue
        parent.remove(block)
        # an output container left with nothing in it goes too
        if isinstance(parent, nodes.container) and not parent.children and parent.parent is not None:
            parent.parent.remove(parent)


def setup(app):
    app.connect("doctree-read", _filter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
