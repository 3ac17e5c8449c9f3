"""The unified timeline: interactions on every channel, participants, attachments, threads."""
