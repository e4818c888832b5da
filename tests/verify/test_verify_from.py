"""`lz verify STACK --from DIR`: saved nccl-tests and DCGM output judged against the catalog.

The fixtures under fixtures/ are `all_reduce_perf` stdout in nccl-tests' own printf formats
(NVIDIA/nccl-tests src/util.cu: rank lines, the two header rows, the result rows, the footer) for 2x
p5.48xlarge, and `dcgmi diag -j` documents keyed by node.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from components.catalog import GPU_TYPES_PATH, CatalogError, aws_instance_type, load_catalog
from lz.cli import main
from lz.testing import ROOT
from lz.verify import dcgm, nccl

FIXTURES = Path(__file__).parent / "fixtures"
P5 = aws_instance_type("p5.48xlarge").nccl_all_reduce


def verify(stack: str, directory: Path, *extra: str) -> int:
    return main(["verify", stack, "-C", str(ROOT), "--from", str(directory), *extra])


def test_the_catalog_figure_is_the_published_healthy_one():
    assert (P5.busbw_gbps, P5.message_bytes, P5.nodes, P5.gpus_per_node) == (437.79, 2**31, 2, 8)
    assert P5.sources == ("adt-nccl-tests",)
    assert aws_instance_type("p4d.24xlarge").nccl_all_reduce is None   # nothing published: unknown


def test_a_healthy_log_at_the_published_figure_passes(capsys):
    assert verify("prod", FIXTURES / "healthy") == 0
    out = capsys.readouterr().out
    assert "h100-train" in out and "437.79 GB/s at 2 GiB" in out and "pass" in out


def test_mpi_tagged_output_reads_the_same(capsys):
    assert verify("prod", FIXTURES / "healthy-mpi-tagged", "--json", "-") == 0
    [row] = json.loads(capsys.readouterr().out)["results"]
    assert (row["pool"], row["nodes"], row["verdict"]) == ("h100-train", 2, "pass")


def test_a_pool_at_a_fifth_of_its_threshold_fails_naming_pool_measured_and_expected(capsys):
    assert verify("prod", FIXTURES / "fifth") == 1
    err = capsys.readouterr().err
    assert "pool h100-train measured 87.56 GB/s" in err and "expected at least 437.79 GB/s" in err


def test_the_verdict_reads_the_large_message_not_the_average():
    # The footer's average (small sizes included) is far below the threshold in the healthy log too.
    run = nccl.parse((FIXTURES / "healthy/h100-train/all_reduce_perf.log").read_text())
    assert run.avg_busbw < P5.busbw_gbps <= run.busbw_at(P5.message_bytes)


@pytest.mark.parametrize("case, message", [
    ("truncated", "cut short after 268435456 B"),
    ("one-node", "ran on 1 node"),
    ("short", "no row at 2147483648 B"),
])
def test_unjudgeable_logs_exit_2(case, message, capsys):
    assert verify("prod", FIXTURES / case) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_missing_log_for_a_training_pool_exits_2(tmp_path, capsys):
    assert verify("prod", tmp_path) == 2
    assert "h100-train/all_reduce_perf.log: missing" in capsys.readouterr().err


def test_corrupt_data_fails_even_at_full_bandwidth(capsys):
    assert verify("prod", FIXTURES / "corrupt") == 1
    assert "6 wrong elements" in capsys.readouterr().err


def test_dcgm_failure_fails_naming_node_and_gpu(tmp_path, capsys):
    shutil.copytree(FIXTURES / "healthy", tmp_path, dirs_exist_ok=True)
    (tmp_path / "l40s-serve").mkdir()
    shutil.copy(FIXTURES / "dcgm/healthy.json", tmp_path / "h100-train/dcgm-diag.json")
    shutil.copy(FIXTURES / "dcgm/gpu5-memory.json", tmp_path / "l40s-serve/dcgm-diag.json")
    assert verify("prod", tmp_path, "--json", "-") == 1
    rows = {(r["pool"], r["test"]): r for r in json.loads(capsys.readouterr().out)["results"]}
    assert rows[("h100-train", "dcgm-diag")]["verdict"] == "pass"
    bad = rows[("l40s-serve", "dcgm-diag")]
    assert bad["verdict"] == "fail" and bad["source"] == "dcgmi diag -r 3"   # prod runs level 3
    assert "ip-10-40-1-201.ec2.internal GPU 5 memory" in bad["detail"]


def test_unreadable_dcgm_output_exits_2(tmp_path, capsys):
    shutil.copytree(FIXTURES / "healthy", tmp_path, dirs_exist_ok=True)
    (tmp_path / "h100-train/dcgm-diag.json").write_text('{"DCGM Diagnostic": {"test_categ')
    assert verify("prod", tmp_path) == 2
    assert "dcgm-diag.json: not JSON" in capsys.readouterr().err


def test_types_without_a_published_figure_are_not_judged(tmp_path, capsys):
    for pool in ("h100-train", "h200-train"):   # gcp-prod: a3-megagpu-8g, a3-ultragpu-8g
        shutil.copytree(FIXTURES / "healthy/h100-train", tmp_path / pool)
    assert verify("gcp-prod", tmp_path, "--json", "-") == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert [(r["pool"], r["verdict"], r["detail"]) for r in rows] == [
        ("h100-train", "no threshold", "no threshold (no published figure)"),
        ("h200-train", "no threshold", "no threshold (no published figure)")]


def test_a_bad_stack_exits_2(capsys):
    assert verify("no-such-stack", FIXTURES / "healthy") == 2
    assert "Traceback" not in capsys.readouterr().err


# --- readers, table-tested -------------------------------------------------------------------------------

HEADER = ("#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong\n"
          "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)\n")


@pytest.mark.parametrize("prefix", ["", "0: ", "[1,0]<stdout>:"])
def test_nccl_reader_strips_launcher_prefixes_and_reads_old_rank_lines(prefix):
    text = "".join(prefix + line + "\n" for line in [
        "#  Rank  0 Pid  1 on nodea device  0 [0x53] NVIDIA A100-SXM4-80GB",   # before 2.14: no Group
        "#  Rank  1 Pid  1 on nodeb device  0 [0x53] NVIDIA A100-SXM4-80GB",
        *HEADER.splitlines(),
        "nodea:12:12 [0] NCCL INFO NET/OFI Selected Provider is efa",
        "  2147483648     536870912     float     sum      -1    51406   41.78   78.33    N/A    51406   41.77   78.34    N/A",
        "# Out of bounds values : 0 OK",
        "# Avg bus bandwidth    : 16.4852 ",
    ])
    run = nccl.parse(text)
    assert run.hosts == ("nodea", "nodeb") and run.busbw_at(2**31) == 78.33 and run.wrong_elements == 0


def test_nccl_reader_refuses_another_collective():
    text = ("#  Rank  0 Group  0 Pid 1 on a device  0 [0x53] H100\n" + HEADER +
            "  2147483648     536870912     float    none      -1    51406   41.78   78.33      0    51406   41.77   78.34      0\n"
            "# Avg bus bandwidth    : 1\n")
    with pytest.raises(nccl.NcclLogError, match="not an all_reduce_perf row"):
        nccl.parse(text)


def test_dcgm_reader_reads_a_single_document():
    diag = dcgm.parse((FIXTURES / "dcgm/single.json").read_text())
    assert diag.nodes == ("-",) and diag.tests == 17 and not diag.failures


def test_catalog_refuses_an_nccl_figure_with_an_undefined_source(tmp_path):
    bad = GPU_TYPES_PATH.read_text().replace("sources: [adt-nccl-tests]", "sources: [nowhere]", 1)
    (tmp_path / "gpu_types.yaml").write_text(bad)
    with pytest.raises(CatalogError, match="ncclAllReduce.sources'.*'nowhere'"):
        load_catalog(tmp_path / "gpu_types.yaml")
