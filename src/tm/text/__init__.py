"""Pure text functions: normalization, segmentation, tokenization. No I/O."""
