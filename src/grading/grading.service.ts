import { Inject, Injectable } from '@nestjs/common';
import type { LoadedExercise } from '../exercises/exercise.loader';
import { SANDBOX_DRIVER } from '../sandbox/sandbox.module';
import type { SandboxDriver } from '../sandbox/sandbox.types';
import { gradeSubmission, type GradeOptions, type GradeReport, type Submission } from './grade-submission';

/** The grading engine as a Nest provider for the worker: grades with the worker's sandbox driver. */
@Injectable()
export class GradingService {
  constructor(@Inject(SANDBOX_DRIVER) private readonly driver: SandboxDriver) {}

  grade(exercise: LoadedExercise, submission: Submission, options: GradeOptions = {}): Promise<GradeReport> {
    return gradeSubmission(this.driver, exercise, submission, options);
  }
}
