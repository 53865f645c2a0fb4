"""Training entry points (detector, codegen LoRA). Not built yet (issues 3 and 4)."""
