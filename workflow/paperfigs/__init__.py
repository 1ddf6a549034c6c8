"""paperfigs: the library behind the workflow that regenerates ten papers' figures.

`paperfigs.common` holds what every paper shares (seeding, devices, atomic writes,
provenance, plotting style, claims, a checkpointed training loop); `paperfigs.<slug>`
holds one paper's theory, data, simulations and claims.
"""
