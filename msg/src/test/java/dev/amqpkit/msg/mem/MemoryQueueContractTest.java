package dev.amqpkit.msg.mem;

import dev.amqpkit.msg.Server;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.contract.BackendContract;

class MemoryQueueContractTest extends BackendContract {
  @Override
  protected Destination destination(String name) {
    MemoryQueue queue = MemoryQueue.create(name);
    return new Destination() {
      @Override
      public Topic topic() {
        return queue.topic();
      }

      @Override
      public Server server(int concurrency) {
        return queue.server(concurrency);
      }

      @Override
      public void close() {}
    };
  }
}
