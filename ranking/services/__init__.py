"""Every write of the evaluation: one function per action, atomic and audited."""


class ServiceError(Exception):
    """A refusal the user can act on; its message is already in the user's language."""

    def __init__(self, *messages: str):
        super().__init__("\n".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]
