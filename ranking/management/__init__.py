"""The administrators' commands (`manage.py`): the year workbook, results, backups, reminders."""
