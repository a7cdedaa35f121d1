"""The match stage inside the service: after each crawl that stored something, once at start-up (items a crash
left unmatched), one run at a time per process, in a worker thread so the event loop keeps serving.

Several nodes may match the same new items at once: matches are insert-or-ignore on (item, rule) and the
delivery hook only sees rows this run inserted, so no match or delivery is made twice.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine

from monitor.rules.matcher import RuleMatcher
from monitor.rules.stage import MatchStageResult, NewMatchHook, run_match_stage
from monitor.service.logs import event

log = logging.getLogger("monitor.service.match")


class MatchRunner:
    def __init__(self, engine: Engine, matcher: RuleMatcher, on_new_matches: NewMatchHook | None) -> None:
        self.engine = engine
        self.matcher = matcher
        self.on_new_matches = on_new_matches
        self._lock = asyncio.Lock()
        self._again = False
        self.total_new = 0

    async def run(self, reason: str) -> MatchStageResult | None:
        """Match what is unmatched; a request while a run is going is folded into one more run after it."""
        if self._lock.locked():
            self._again = True
            return None
        async with self._lock:
            result = await self._once(reason)
            while self._again:
                self._again = False
                result = await self._once("again")
            return result

    async def _once(self, reason: str) -> MatchStageResult | None:
        if not self.matcher.rules:
            return None
        try:
            result = await asyncio.to_thread(run_match_stage, self.engine, self.matcher,
                                             on_new_matches=self.on_new_matches)
        except Exception:
            event(log, "match.failed", logging.ERROR, exc_info=True, reason=reason)
            return None
        self.total_new += result.matches_new
        if result.items_scanned:
            event(log, "match.done", reason=reason, items=result.items_scanned, matches_new=result.matches_new,
                  seconds=round(result.seconds, 3))
        return result
