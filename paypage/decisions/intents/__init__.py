"""Debtor message intents: what a debtor's reply, SMS or contact-form message asks for.

Eight intents (`labels.INTENTS`). A TF-IDF character n-gram model with a calibrated logistic regression,
trained from the shipped data set at first use, gives each message a probability per intent (`model`).
A template answers only when all of these hold:

* the top intent is answerable (`labels.ANSWERABLE`: instalment, pause, already paid, address change,
  question). Hardship and dispute never are, by rule: a person answers them. `other` has nothing to answer;
* neither hardship nor dispute has a probability of `threshold.HUMAN_GUARD` or more, so a message that
  mixes "I lost my job" into an instalment request reaches a person;
* the confidence reaches the threshold that gave at least 95 % precision on grouped out-of-fold
  predictions of the training data (`threshold.choose`); the held-out test set only reports.

What the answer does per intent is decided in `paypage.services.inbound`.
"""
