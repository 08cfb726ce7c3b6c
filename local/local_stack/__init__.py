"""The local run (`make run`): template.yaml deployed with SAM CLI on an AWS emulator on this
machine (docs/LOCAL.md)."""
