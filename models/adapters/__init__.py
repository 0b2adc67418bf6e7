"""Domain adapters (LoRA) for the local model: the catalog of installed adapters and (run by
``make adapter``, never at run time) the pipeline that trains one from the shared data on this
machine's CPU. Reading, checking and writing adapter GGUFs is ``models.lora_gguf``."""
