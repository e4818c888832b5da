"""Names the golden workloads and the journey checks that read them share (no dependencies: the policy
pack imports this module)."""

from components.names import PROJECT

CONFIGMAP = "golden-workloads"                          # one per team namespace; data: <workload>.yaml
ACCEPTANCE_CONFIGMAP = "acceptance-workloads"           # in the acceptance namespace; same shape
ACCEPTANCE_TEST_LABEL = f"acceptance.{PROJECT}/test"    # dcgm-diag | nccl-all-reduce, on Jobs and pods
ACCEPTANCE_POOL_LABEL = f"acceptance.{PROJECT}/pool"
DCGM_NODE_LABEL = f"acceptance.{PROJECT}/dcgm"          # `lz verify` sets it to "fail" on failed nodes
JOURNEY_ANNOTATION = f"golden.{PROJECT}/journey"   # JSON on the Job / Deployment: team, pool, paths
GOLDEN_LABEL = f"golden.{PROJECT}/workload"
KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
KUEUE_PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
EFA_RESOURCE = "vpc.amazonaws.com/efa"                  # the EFA device plugin's extended resource
