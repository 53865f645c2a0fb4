"""Training entry points: the YOLO detector (``detector``) and the codegen LoRA (``sft``)."""
