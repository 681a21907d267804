"""The shared vocabulary every stage of the pipeline uses: the Resource model and notifications
(`model`), unknown values (`unknown`), scan limits (`limits`), numbers, display paths and
fingerprints. Nothing here imports another stage."""
