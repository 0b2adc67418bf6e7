"""Domain adapters (LoRA) for the local model: reading, checking and writing adapter GGUFs, the
catalog of installed adapters, and (run by ``make adapter``, never at run time) the training
pipeline that makes one from the shared data on this machine's CPU."""
