"""The bundled sample data set: a seeded e-commerce service centre (history, events, queues, staff, rules)."""

from wfm.sample.write import DEFAULT_SEED, SAMPLE_FILES, sample_bytes, sample_frames, write_sample_data

__all__ = ["DEFAULT_SEED", "SAMPLE_FILES", "sample_bytes", "sample_frames", "write_sample_data"]
