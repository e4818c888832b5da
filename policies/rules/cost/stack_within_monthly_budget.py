"""The stack's monthly cost at max scale stays within its budget.

Every resource the analyzer sees is priced with `components.catalog.pricing` (the maths `lz cost`
uses): GPU node groups / node pools at their max size x the catalog's on-demand price, plus the fixed
charges (clusters, NAT gateways, endpoints, file systems, keys). The budget is the rule's
`maxMonthlyUsd` property, else the stack's `ai-landing-zone:budget.maxMonthlyUsd`. Unpriced resources
are left out of the sum and named in the message.
"""

from lzpolicy import StackRule, StackView
from lzpolicy.rule import stack_settings

from components.catalog.pricing import HOURS_PER_MONTH, PricingContext, price_resource
from components.names import PROJECT


def budget(view: StackView) -> float | None:
    configured = view.config.get("maxMonthlyUsd")
    if isinstance(configured, (int, float)) and not isinstance(configured, bool):
        return float(configured)
    settings = stack_settings()
    return settings.budget.max_monthly_usd if settings is not None else None


def check_stack(view: StackView):
    limit = budget(view)
    if limit is None:
        return
    rows = [(r.type, "", dict(r.props)) for r in view.resources]
    context = PricingContext.of(rows)
    total = 0.0
    pools: list[tuple[float, str]] = []
    unpriced: list[str] = []
    for r, (type_, _, props) in zip(view.resources, rows, strict=True):
        charge = price_resource(type_, props, context)
        if charge is None:
            continue
        if charge.hourly_max is None:
            unpriced.append(r.name)
            continue
        monthly = charge.hourly_max * HOURS_PER_MONTH
        total += monthly
        if charge.pool is not None and monthly > 0:
            pools.append((monthly, f"{r.name} {charge.nodes[1] if charge.nodes else '?'} x "
                                   f"{charge.instance_type} {monthly:,.0f}"))
    if total <= limit:
        return
    top = ", ".join(text for _, text in sorted(pools, reverse=True)[:5]) or "none"
    missing = f"; {len(unpriced)} unpriced resource(s) not counted ({', '.join(unpriced[:5])})" if unpriced else ""
    yield "", (f"at max scale the stack costs {total:,.0f} USD/month ({HOURS_PER_MONTH} h), over its budget of "
               f"{limit:,.0f} USD/month; GPU pools at max: {top}{missing}. Lower the pools' maxNodes or raise "
               f"{PROJECT}:budget.maxMonthlyUsd. `lz cost STACK` shows every item.")


RULE = StackRule(
    name="stack-within-monthly-budget",
    description="The stack's monthly list price at max scale (GPU pools at maxNodes) is within budget.maxMonthlyUsd.",
    resource_types=(),
    controls=("AWS Well-Architected COST02-BP05", "FinOps Framework: Budgeting"),
    enforcement_level="mandatory",
    config_properties={"maxMonthlyUsd": {
        "type": "number", "exclusiveMinimum": 0,
        "description": f"Monthly budget in USD; default: the stack's {PROJECT}:budget.maxMonthlyUsd."}},
    check_stack=check_stack,
)
