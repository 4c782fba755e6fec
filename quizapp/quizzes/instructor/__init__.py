"""Course staff's side of quizzes: grading monitor, regrading, item statistics, grade export, quiz builder.

Reads are in ``access``, ``monitor``, ``item_stats`` and ``gradebook``; writes in ``regrade`` and
``builder``. Instructors change things; TAs may look at the monitor and the statistics.
"""
