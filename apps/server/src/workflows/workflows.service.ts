// The workflow API's one service: hands each call to the engine's workflow runtime and turns a
// workflow whose browser context could not be opened into 503 (a fault of ours, not the caller's).
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Engine, WorkflowView } from '@engine/engine';
import { ENGINE } from '../engine/engine.providers';

@Injectable()
export class WorkflowsService {
  constructor(@Inject(ENGINE) private readonly engine: Engine) {}

  get maxUploadBytes(): number {
    return this.engine.workflows.config.maxUploadBytes;
  }

  async create(sid: string | undefined): Promise<WorkflowView> {
    return this.usable(await this.engine.workflows.create(sid));
  }

  async reset(sid: string): Promise<WorkflowView> {
    return this.usable(await this.engine.workflows.reset(sid));
  }

  delete(sid: string): Promise<WorkflowView> {
    return this.engine.workflows.delete(sid);
  }

  async list(): Promise<{ items: WorkflowView[] }> {
    return { items: await this.engine.workflows.list() };
  }

  get(sid: string): Promise<WorkflowView> {
    return this.engine.workflows.get(sid);
  }

  upload(sid: string, name: string, bytes: Buffer): Promise<WorkflowView> {
    return this.engine.workflows.upload(sid, name, bytes);
  }

  private usable(view: WorkflowView): WorkflowView {
    if (view.state === 'closing' || view.state === 'closed') {
      throw new ServiceUnavailableException({ statusCode: 503, code: 'WORKFLOW_UNAVAILABLE', message: `workflow ${view.sid} could not get a browser context and was closed` });
    }
    return view;
  }
}
