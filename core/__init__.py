"""The shared basics every layer uses: the error family (``core.errors``) and progress and
cancellation for slow work (``core.jobs``). ``core`` imports nothing of ours."""
