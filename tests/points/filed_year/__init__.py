"""A year gone to the higher organization is final (issue 21 §1): every write touching its facts is
refused by the one check (points/services/filed.py) with the filing named, nothing changes, and only the
higher organization's 退回 reopens it — logged in the transition chain."""
