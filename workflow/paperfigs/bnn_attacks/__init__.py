"""Bayesian neural networks are not inherently robust (Feng, Rudner, Tsilivis, Kempe;
arXiv 2404.19640): attacks on the posterior predictive mean, on uncertainty-based
adversarial-example detection and on semantic-shift detection."""
