"""Video -> features: the `coco features` stage (decoding, backbones, sharded resumable extraction)."""
