"""Outbound calls to the platforms. Per-account settings (base URL, credentials) live in PlatformAccount."""

from config.env import env

# (connect, read) seconds for every outbound call.
INTEGRATIONS_HTTP_TIMEOUT = (
    env.float("INTEGRATIONS_CONNECT_TIMEOUT", default=5.0),
    env.float("INTEGRATIONS_READ_TIMEOUT", default=30.0),
)
INTEGRATIONS_HTTP_MAX_ATTEMPTS = env.int("INTEGRATIONS_HTTP_MAX_ATTEMPTS", default=4)  # safe calls only
INTEGRATIONS_HTTP_BACKOFF_BASE = 0.5  # seconds; doubled per attempt, with jitter
INTEGRATIONS_HTTP_BACKOFF_CAP = 30.0  # seconds

# Webhook deliveries whose own timestamp is further than this from now are refused as stale or replayed.
WEBHOOK_TOLERANCE_SECONDS = env.int("WEBHOOK_TOLERANCE_SECONDS", default=300)
# A webhook delivery still unprocessed this long after it arrived is queued again (its task was lost).
INBOUND_REQUEUE_AFTER_MINUTES = env.int("INBOUND_REQUEUE_AFTER_MINUTES", default=5)

# An order that reserves stock queues one stock push per other account listing the variant, this many
# seconds later, so that a burst of orders becomes one batched push.
STOCK_PUSH_DEBOUNCE_SECONDS = env.int("STOCK_PUSH_DEBOUNCE_SECONDS", default=30)

# After a create whose answer was lost, the platform is asked for the order again after these waits
# (seconds) before the push is reported as uncertain.
ORDERS_PUSH_FIND_DELAYS = (0.0, 1.0, 2.0)
