"""In-process stand-ins for what Lambda and API Gateway do around our functions, on moto:
REST proxy events, the DynamoDB stream and SQS event source mappings, the template read as
resources. Unit and integration tests (and the bench) use them; the local run deploys the real
template on an emulator instead."""
