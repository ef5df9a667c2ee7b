"""A second reader: a language model (Amazon Bedrock, or any OpenAI-compatible server) for what the rules cannot
read, its answers guarded and combined with the rules' by one policy (second.combine). Off unless configured;
nothing here is imported when it is off."""
