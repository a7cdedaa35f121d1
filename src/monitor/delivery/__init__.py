"""Delivery: the transactional outbox, the dispatcher and the chat and webhook channels.

What the rest of the service calls (see docs/delivery.md):

- `channel_config.load_channels(path, env)` → `ChannelSet` (alerts/channels.toml);
- `enqueue.make_enqueue_hook(rules, channels)` → the `on_new_matches` hook of `run_match_stage`;
- `dispatcher.dispatch_due(engine, channels, now=…)` → `DispatchReport` (send what is due);
- `operator.enqueue_operator_message(connection, channels, heading, text, key_parts=…)` (durable) and
  `operator.send_operator_message(channels, text)` (now, one attempt);
- `inspection.list_deliveries` / `inspection.replay_deliveries` (the `monitor deliveries` commands).

Nothing is imported here, so the match stage can load the hook without the HTTP client.
"""
