"""The plain-Python domain: meetings, invitees, RSVPs and the rules between them.

Nothing here imports boto3 or reads the environment.
"""
