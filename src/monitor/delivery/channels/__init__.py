"""Channel kinds (Slack, Mattermost, Discord, Teams Workflows, generic JSON webhook): renderers and registry."""

from monitor.delivery.channels.registry import KINDS, ChannelKind, OutgoingRequest, outgoing_request

__all__ = ["KINDS", "ChannelKind", "OutgoingRequest", "outgoing_request"]
